/**
 * A real Debian application through a site file: DokuWiki (dokuwiki + php-cli) with its reset
 * command before every episode. Measures the reset time per episode (the command, then the
 * readiness check), the whole `env.reset` (site reset + context + login check + first
 * observation) and WebArenaEnv's step latency (click to the next observation) on the wiki.
 * Skipped with a message when PHP or DokuWiki is missing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBrowserProvider } from '../adapters/browser/browser-provider.js';
import { readSiteFile } from '../adapters/webarena/site-file.js';
import { SiteResets } from '../adapters/webarena/site-resets.js';
import { WebArenaEnv } from '../adapters/webarena/webarena-env.js';
import { readTreeEntries } from '../adapters/webarena/webarena-profile.js';
import { readWebArenaTaskFile } from '../adapters/webarena/webarena-task-file.js';
import { findDokuWiki, startDokuWiki, WIKI_USER } from '../tests/helpers/dokuwiki.js';
import { median, percentile } from './lib/stats.js';

export interface DokuWikiBench {
  skipped?: string;
  episodes: number;
  reset_command_p50_ms: number;
  reset_ready_p50_ms: number;
  env_reset_p50_ms: number;
  env_reset_p95_ms: number;
  step_p50_ms: number;
  step_p95_ms: number;
  steps: number;
}

const example = fileURLToPath(new URL('../examples/dokuwiki/', import.meta.url));

export const benchDokuWiki = async (episodes = 10): Promise<DokuWikiBench> => {
  const found = findDokuWiki();
  if (!('php' in found)) return { skipped: `${found.missing} not found`, episodes: 0, reset_command_p50_ms: 0, reset_ready_p50_ms: 0, env_reset_p50_ms: 0, env_reset_p95_ms: 0, step_p50_ms: 0, step_p95_ms: 0, steps: 0 };
  const wiki = await startDokuWiki(found.php);
  const site = JSON.parse(readFileSync(join(example, 'site.json'), 'utf8')) as { sites: { wiki: Record<string, unknown> } };
  site.sites.wiki['url'] = wiki.url;
  const login = site.sites.wiki['login'] as Record<string, unknown>;
  login['password'] = WIKI_USER.password;
  delete login['password_env'];
  const siteFile = join(wiki.dir, 'site.json');
  writeFileSync(siteFile, JSON.stringify(site));
  const specs = readSiteFile(siteFile);
  const tasks = readWebArenaTaskFile(join(example, 'tasks.json'));
  const task = tasks.find((t) => t.task_id === 0)!;
  const provider = createBrowserProvider({ kind: 'launch' });
  const env = new WebArenaEnv({
    browser: provider,
    tasks: new Map([['0', task]]),
    sites: () => ({ wiki: wiki.url }),
    authDir: wiki.dir,
    login: { wiki: specs.get('wiki')!.login! },
    resets: new SiteResets(specs),
    maxSteps: 1000,
  });
  const commandMs: number[] = [];
  const readyMs: number[] = [];
  const resetMs: number[] = [];
  const stepMs: number[] = [];
  const idOf = (text: string, name: string): string | undefined => readTreeEntries(text).find((e) => e.role === 'link' && e.name === name)?.id;
  try {
    for (let i = 0; i < episodes; i += 1) {
      let started = performance.now();
      let obs = await env.reset({ task_id: '0', env: 'webarena' });
      resetMs.push(performance.now() - started);
      const report = env.resetReport() as { resets: Array<{ ms: number; ready_ms: number }> } | undefined;
      for (const r of report?.resets ?? []) {
        commandMs.push(r.ms);
        readyMs.push(r.ready_ms);
      }
      for (const name of ['Apollo', 'Team Wiki', 'Gemini', 'Team Wiki']) {
        const id = idOf(obs.text, name);
        if (id === undefined) throw new Error(`bench: no link '${name}' on ${obs.url ?? 'the page'}`);
        started = performance.now();
        obs = (await env.step(`click [${id}]`)).observation;
        stepMs.push(performance.now() - started);
      }
    }
  } finally {
    await env.close();
    await provider.close();
    await wiki.stop();
  }
  return {
    episodes,
    reset_command_p50_ms: median(commandMs),
    reset_ready_p50_ms: median(readyMs),
    env_reset_p50_ms: median(resetMs),
    env_reset_p95_ms: percentile(resetMs, 95),
    step_p50_ms: median(stepMs),
    step_p95_ms: percentile(stepMs, 95),
    steps: stepMs.length,
  };
};

// `npx tsx scripts/bench-dokuwiki.ts [episodes]` runs it alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await benchDokuWiki(Number(process.argv[2] ?? 10)), null, 2));
}
