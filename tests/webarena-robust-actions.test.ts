import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserProvider, type BrowserProvider } from '../adapters/browser/browser-provider.js';
import { ACTIONABILITY_WAIT_MS } from '../adapters/webarena/webarena-actions.js';
import { WebArenaEnv, type WebArenaEnvOptions } from '../adapters/webarena/webarena-env.js';
import { findTreeId, readTreeEntries } from '../adapters/webarena/webarena-profile.js';
import { parseWebArenaTasks, type WebArenaTask } from '../adapters/webarena/webarena-task-config.js';

/** Pages with what trips actions on real sites: CSS-hidden elements, a page that hangs, tabs a site closes. */
const PAGES: Record<string, string> = {
  '/hidden': `<title>Hidden things</title>
    <style>
      .skip-link { position: absolute; left: -10000px; top: auto; width: 1px; height: 1px; overflow: hidden; }
      .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
    </style>
    <a class="skip-link" href="#main">Skip to content</a>
    <h2 class="visually-hidden"><a href="#main">Jump to the results</a></h2>
    <main id="main"><button onclick="document.title = 'clicked'">Visible button</button>
    <label for="notes">Notes</label><textarea id="notes">first line
second line</textarea>
    <a href="/hang">Busy page</a> <a href="/slow-eval">Slow check</a> <a href="/opener">Tabs</a></main>`,
  // A click that makes the page's script spin after the click returned: the observation hangs.
  // The spin starts in a posted task and, in case DevTools' higher-priority commands ran the
  // observation first, also in the first element visibility check the observation's walker makes.
  '/hang': `<title>Spins</title><button onclick="window.spin = true; const c = new MessageChannel(); c.port1.onmessage = () => { for (;;) {} }; c.port2.postMessage(0)">Spin</button>
    <script>const own = Element.prototype.checkVisibility; Element.prototype.checkVisibility = function (...a) { if (window.spin) for (;;) {} return own.apply(this, a); };</script>`,
  '/opener': `<title>Opener</title><a href="/a" target="_blank">Open A</a> <a href="/b" target="_blank">Open B</a> <a href="/c" target="_blank">Open C</a>`,
  // Opened by a link, so its script may close it.
  '/a': `<title>Page A</title><button onclick="setTimeout(() => window.close(), 1500)">Close this tab soon</button>`,
  '/b': `<title>Page B</title><p>B</p>`,
  '/c': `<title>Page C</title><p>C</p>`,
};

let server: Server;
let base = '';
let provider: BrowserProvider;

const config = (id: number, startUrl: string, evalPart: Record<string, unknown> = {}): WebArenaTask => {
  const [task] = parseWebArenaTasks(
    {
      sites: ['reddit'], task_id: id, require_login: true, storage_state: null, start_url: startUrl, geolocation: null, intent_template: 'x', instantiation_dict: {},
      intent: `task ${id}`, require_reset: false, intent_template_id: id,
      eval: { eval_types: ['string_match'], reference_answers: { exact_match: 'done' }, reference_url: '', program_html: [], ...evalPart },
    },
    'robust.json',
  );
  if (!task) throw new Error('no task');
  return task;
};

const tasks = new Map(
  [
    config(1, '__REDDIT__/hidden'),
    config(2, '__REDDIT__/hang'),
    // program_html on a page whose load never ends: the evaluation must end within the step.
    config(3, '__REDDIT__/hidden', { eval_types: ['program_html'], reference_answers: null, program_html: [{ url: '__REDDIT__/never-loads', locator: '', required_contents: { must_include: ['x'] } }] }),
    config(4, '__REDDIT__/opener'),
  ].map((t) => [String(t.task_id), t]),
);

const newEnv = (extra: Partial<WebArenaEnvOptions> = {}): WebArenaEnv =>
  new WebArenaEnv({ browser: provider, tasks, sites: () => ({ reddit: base }), timeoutMs: 30_000, ...extra });

const idOf = (text: string, role: string, name: string): string => {
  const id = findTreeId(text, role, name);
  if (id === undefined) throw new Error(`no ${role} '${name}' in\n${text}`);
  return id;
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/never-loads') {
      // The document arrives, its script never does: the page never finishes loading.
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<title>Never loads</title><script src="/stall"></script>');
      return;
    }
    if (path === '/stall') return; // never answered
    const page = PAGES[path];
    res.writeHead(page === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = createBrowserProvider({ kind: 'launch' });
});

afterAll(async () => {
  await provider?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

describe('robust actions', () => {
  it(`a CSS-hidden element fails within the ${ACTIONABILITY_WAIT_MS} ms actionability wait with last_action_error, not the step timeout`, async () => {
    const env = newEnv();
    try {
      const start = await env.reset({ task_id: '1', env: 'webarena' });
      for (const name of ['Skip to content', 'Jump to the results']) {
        const id = idOf(start.text, 'link', name);
        const began = performance.now();
        const step = await env.step(`click [${id}]`);
        const took = performance.now() - began;
        expect(step.observation.last_action_error, name).toMatch(new RegExp(`^INVALID_ACTION: element \\[${id}\\] is not actionable within ${ACTIONABILITY_WAIT_MS} ms: `));
        expect(step.done).toBe(false);
        // The wait plus one observation, far below the 30 s step timeout (generous for a loaded machine).
        expect(took, name).toBeLessThan(ACTIONABILITY_WAIT_MS + 4_000);
        expect(step.observation.url).toBe(`${base}/hidden`);
      }
      // A visible element still works.
      const ok = await env.step(`click [${idOf(start.text, 'button', 'Visible button')}]`);
      expect(ok.observation.last_action_error).toBeUndefined();
      expect(ok.observation.text).toMatch(/^Tab 0 \(current\): clicked/);
    } finally {
      await env.close();
    }
  }, 60_000);

  it('an id that is not in the current observation is an error step, never an action on some element', async () => {
    const env = newEnv();
    try {
      const start = await env.reset({ task_id: '1', env: 'webarena' });
      const shown = new Set(readTreeEntries(start.text).map((e) => e.id));
      const busy = idOf(start.text, 'link', 'Busy page');
      // Ids run on in a document; the next one is not shown (yet) and must not be acted on.
      const unseen = String(Math.max(...[...shown].map(Number)) + 1);
      const step = await env.step(`click [${unseen}]`);
      expect(step.observation.last_action_error).toBe(`INVALID_ACTION: [${unseen}] is not in the current observation`);
      expect(step.observation.url).toBe(`${base}/hidden`);
      // Under the compact view only the ids it shows count.
      const compact = newEnv({ observation: 'compact' });
      try {
        const view = await compact.reset({ task_id: '1', env: 'webarena' });
        expect(view.text).toMatch(/^URL: /);
        const link = idOf(view.text, 'link', 'Busy page');
        expect(link).toBe(busy);
        const moved = await compact.step(`click [${link}]`);
        expect(moved.observation.last_action_error).toBeUndefined();
        expect(moved.observation.url).toBe(`${base}/hang`);
      } finally {
        await compact.close();
      }
    } finally {
      await env.close();
    }
  }, 60_000);

  it("--compact keeps a text area's line breaks, and role/name targets resolve in it", async () => {
    const env = newEnv({ observation: 'compact', clearBeforeType: true });
    try {
      const view = await env.reset({ task_id: '1', env: 'webarena' });
      expect(view.text).toContain(': first line\\nsecond line');
      const typed = await env.step(`type [${idOf(view.text, 'textbox', 'Notes')}] [replaced] [0]`);
      expect(typed.observation.last_action_error).toBeUndefined();
      expect(typed.observation.text).toMatch(/\] StaticText: replaced$/m);
      expect(idOf(typed.observation.text, 'button', 'Visible button')).toBe(idOf(view.text, 'button', 'Visible button'));
    } finally {
      await env.close();
    }
  }, 60_000);

  it('a page that hangs in the observation ends the step within the step timeout', async () => {
    const env = newEnv({ timeoutMs: 4_000 });
    try {
      const start = await env.reset({ task_id: '2', env: 'webarena' });
      const began = performance.now();
      await expect(env.step(`click [${idOf(start.text, 'button', 'Spin')}]`)).rejects.toMatchObject({ code: 'STEP_TIMEOUT' });
      expect(performance.now() - began).toBeLessThan(4_000 + 2_000);
    } finally {
      await env.close();
    }
  }, 60_000);

  it('an evaluation that hangs ends within the step timeout, scoring 0 with the reason', async () => {
    const env = newEnv({ timeoutMs: 5_000 });
    try {
      await env.reset({ task_id: '3', env: 'webarena' });
      const began = performance.now();
      const step = await env.step('stop []');
      expect(performance.now() - began).toBeLessThan(5_000 + 2_000);
      expect(step.done).toBe(true);
      expect(step.reward).toBe(0);
      expect(JSON.stringify(step.info['evaluation'])).toMatch(/evaluation (failed|did not finish)/);
    } finally {
      await env.close();
    }
  }, 60_000);

  it('tab focus follows the page when the site closes an earlier tab', async () => {
    const env = newEnv();
    try {
      const start = await env.reset({ task_id: '4', env: 'webarena' });
      for (const name of ['Open A', 'Open B', 'Open C']) await env.step(`click [${idOf(start.text, 'link', name)}]`);
      // A tab a click opens joins the list when the browser reports it, which under load can be after
      // that step: wait with steps that change nothing (alternating, so WebArena's repeat stop stays off).
      let seen = await env.step('scroll [down]');
      for (let i = 0; i < 20 && !seen.observation.text.includes('Page C'); i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        seen = await env.step(i % 2 === 0 ? 'scroll [up]' : 'scroll [down]');
      }
      const a = await env.step('tab_focus [1]');
      expect(a.observation.text).toMatch(/^Tab 0: Opener \| Tab 1 \(current\): Page A \| Tab 2: Page B \| Tab 3: Page C\n/);
      await env.step(`click [${idOf(a.observation.text, 'button', 'Close this tab soon')}]`);
      const b = await env.step('tab_focus [2]');
      expect(b.observation.url).toBe(`${base}/b`);
      // Page A closes itself a moment later; B stays the current tab, now as tab 1.
      let after = b;
      for (let i = 0; i < 20 && after.observation.text.includes('Page A'); i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        after = await env.step(i % 2 === 0 ? 'scroll [down]' : 'scroll [up]');
      }
      expect(after.observation.text).toMatch(/^Tab 0: Opener \| Tab 1 \(current\): Page B \| Tab 2: Page C\n/);
      expect(after.observation.url).toBe(`${base}/b`);
    } finally {
      await env.close();
    }
  }, 60_000);
});
