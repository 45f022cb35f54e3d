import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { startProxy } from './helpers/rewriting-proxy.js';
import { startFixture } from './helpers/webshop-fixture.js';

describe('dreambridge doctor --transport http', () => {
  it('proves the local WebShop identical through both transports', async () => {
    const result = await runCli(['doctor', '--env', 'webshop', '--fixture', '--transport', 'http', '--episodes', '1', '--goal', '1500'], { timeoutMs: 240_000 });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ok {3}transport equivalence: 3 episodes, \d+ steps identical through browser and http \(.*item_sub \d+/);
    expect(result.stdout).toContain('observations identical to the browser');
  }, 300_000);

  it('fails, naming the field and both values, when a script changes what the browser shows', async () => {
    const fixture = await startFixture({ size: 300 });
    // A script that rewrites the item page's price in the browser: the HTML over http still says the old one.
    const proxy = await startProxy(fixture.url, {
      rewrite: (url, html) =>
        url.startsWith('/item_page/') ? html.replace('</body>', "<script>document.body.append(document.createTextNode('Sale!'))</script></body>") : html,
    });
    try {
      const result = await runCli(['doctor', '--env', 'webshop', '--url', proxy.url, '--transport', 'http', '--episodes', '1', '--goal', '1500'], { timeoutMs: 240_000 });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/FAIL transport equivalence: tour, goal 1500: step \d+ \(click\[b0[a-z0-9]+\]\): observation\.text differs: browser …".*Sale!"…?, http …"(?!.*Sale!)/);
      expect(result.stdout).toContain('not conformant');
    } finally {
      await proxy.close();
      await fixture.running.close();
    }
  }, 300_000);
});
