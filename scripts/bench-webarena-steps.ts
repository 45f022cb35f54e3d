/**
 * Step latency of WebArenaEnv on the fixture sites for click and type (each measured from the
 * action to the next observation, evaluation excluded): median and p95.
 */
import { createBrowserProvider } from '../adapters/browser/browser-provider.js';
import { WebArenaEnv } from '../adapters/webarena/webarena-env.js';
import { readTreeEntries } from '../adapters/webarena/webarena-profile.js';
import { parseWebArenaTasks } from '../adapters/webarena/webarena-task-config.js';
import { loadFixtureTasks } from '../fixtures/webarena/reference-actions.js';
import { startWebArenaFixture } from '../fixtures/webarena/server.js';
import { median, percentile } from './lib/stats.js';

export interface StepBenchRow {
  kind: 'click' | 'type';
  medianMs: number;
  p95Ms: number;
  samples: number;
}

export const benchWebArenaSteps = async (rounds = 15): Promise<StepBenchRow[]> => {
  const fixture = await startWebArenaFixture({ port: 0 });
  const provider = createBrowserProvider({ kind: 'launch' });
  const tasks = parseWebArenaTasks(loadFixtureTasks(), 'tasks.json');
  const task = tasks.find((t) => t.sites.length === 1 && t.sites[0] === 'shopping_admin' && !t.start_url.includes('|AND|'))!;
  const env = new WebArenaEnv({ browser: provider, tasks: new Map([[String(task.task_id), task]]), sites: (ep) => fixture.sitesFor(ep), login: fixture.credentials, clearBeforeType: true, maxSteps: 1000 });
  const clicks: number[] = [];
  const types: number[] = [];
  const idOf = (text: string, role: string, name: RegExp) => readTreeEntries(text).find((e) => e.role === role && name.test(e.name))?.id;
  try {
    for (let i = 0; i < rounds; i += 1) {
      let obs = await env.reset({ task_id: String(task.task_id), env: 'webarena' });
      const orders = idOf(obs.text, 'link', /^Orders$/);
      let started = performance.now();
      obs = (await env.step(`click [${orders}]`)).observation;
      clicks.push(performance.now() - started);
      const products = idOf(obs.text, 'link', /^Products$/);
      obs = (await env.step(`click [${products}]`)).observation;
      const search = idOf(obs.text, 'textbox', /search/i) ?? idOf(obs.text, 'searchbox', /search/i);
      started = performance.now();
      await env.step(`type [${search}] [hoodie] [1]`);
      types.push(performance.now() - started);
    }
  } finally {
    await env.close();
    await provider.close();
    await fixture.close();
  }
  return [
    { kind: 'click', medianMs: median(clicks), p95Ms: percentile(clicks, 95), samples: clicks.length },
    { kind: 'type', medianMs: median(types), p95Ms: percentile(types, 95), samples: types.length },
  ];
};
