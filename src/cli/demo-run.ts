import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatSummary, runCollect } from './collect-run.js';

export interface DemoFlags {
  episodes: number;
  concurrency: number;
  seed: number;
  out?: string;
}

const timestamp = (): string => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');

/**
 * The demo: the local WebShop, N heuristic episodes in real Chromium written to a run directory,
 * one episode shown step by step, the summary, and where the files are. Embedded defaults only.
 */
export const runDemo = async (flags: DemoFlags): Promise<void> => {
  const out = flags.out ?? `runs/demo-${timestamp()}`;
  console.log('dreambridge demo: the local WebShop in headless Chromium');
  console.log('embedded defaults: no LLM configured; a heuristic policy acts (search, open the best match, pick the named options, buy)\n');
  const result = await runCollect({
    env: 'webshop',
    fixture: true,
    policy: 'heuristic',
    episodes: flags.episodes,
    split: 'train',
    concurrency: flags.concurrency,
    maxSteps: 15,
    out,
    seed: flags.seed,
    stepTimeout: 30_000,
    observation: 'text',
  });
  const lines = (await readFile(join(result.dir, 'transitions.jsonl'), 'utf8')).split('\n').filter(Boolean);
  const first = lines.map((l) => JSON.parse(l) as { episode_id: string; step: number; action: string; reward: number; state: { instruction: string; text: string } });
  const episode = first.filter((t) => t.episode_id === first[0]?.episode_id);
  if (episode[0]) {
    console.log(`one episode, goal: ${episode[0].state.instruction}`);
    for (const t of episode) console.log(`  step ${t.step}: ${t.action.padEnd(40)} reward ${t.reward}`);
    console.log('');
  }
  console.log(formatSummary(result.summary));
  console.log(`files: ${join(result.dir, 'transitions.jsonl')}, episodes.jsonl, manifest.json`);
};
