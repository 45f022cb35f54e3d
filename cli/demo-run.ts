import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { executeRunPlan } from '../harness/run-plan/run-plan.js';
import { formatSchedule } from '../harness/schedule.js';
import { formatSummary } from './format-summary.js';
import { createLogger } from './logger.js';
import { runPlanFromFlags, type RunCommandFlags } from './run-plan-flags.js';
import { runTimestamp } from './run-timestamp.js';
import { formatShadowCounts } from '../harness/shadow/shadow-counts.js';

export interface DemoFlags {
  episodes: number;
  dreamEpisodes: number;
  fidelityEpisodes: number;
  concurrency: number;
  seed: number;
  out?: string;
}

const fmt = (x: number): string => x.toFixed(3);

/** Shared flags of the demo's dream and fidelity runs: the local WebShop, embedded defaults. */
const runFlags = (flags: DemoFlags, buffer: string[], out: string): RunCommandFlags => ({
  env: 'webshop',
  fixture: true,
  seed: flags.seed,
  onBudgetExhausted: 'stop',
  model: 'retrieval',
  embed: 'hashed',
  buffer,
  split: 'eval',
  group: 1,
  concurrency: flags.concurrency,
  stepTimeout: 30_000,
  observation: 'text',
  out,
});

/**
 * The demo, on embedded defaults only: real seed episodes from the local WebShop in headless
 * Chromium; dream episodes on held-out goals with the retrieval experience model over those
 * seeds; a shadowed real run on held-out goals measuring how far that dream is from the site.
 */
export const runDemo = async (flags: DemoFlags): Promise<void> => {
  const out = flags.out ?? `runs/demo-${runTimestamp()}`;
  const logger = createLogger('demo');
  const signal = new AbortController().signal;
  console.log('dreambridge demo: the local WebShop in headless Chromium');
  console.log('embedded defaults, no LLM configured: a heuristic policy acts (search, open the best match, pick the named options, buy);');
  console.log('the experience model is the retrieval lookup table over the recorded seeds (it replays recorded outcomes, it does not imagine)\n');

  console.log(`1/3 real seeds: ${flags.episodes} episodes on train goals`);
  const seeds = await executeRunPlan(runPlanFromFlags('collect', { ...runFlags(flags, [], join(out, 'seeds')), policy: 'heuristic', episodes: flags.episodes, split: 'train' }), logger, signal);
  const lines = (await readFile(join(seeds.dir, 'transitions.jsonl'), 'utf8')).split('\n').filter(Boolean);
  const recorded = lines.map((l) => JSON.parse(l) as { episode_id: string; step: number; action: string; reward: number; state: { instruction: string } });
  const episode = recorded.filter((t) => t.episode_id === recorded[0]?.episode_id);
  if (episode[0]) {
    console.log(`  one episode, goal: ${episode[0].state.instruction}`);
    for (const t of episode) console.log(`    step ${t.step}: ${t.action.padEnd(40)} reward ${t.reward}`);
  }
  console.log(`  real:  ${formatSummary(seeds.result)}\n`);

  console.log(`2/3 dream: ${flags.dreamEpisodes} episodes on held-out (eval) goals, no site, retrieval model over the seeds`);
  const dream = await executeRunPlan(runPlanFromFlags('run', { ...runFlags(flags, [seeds.dir], join(out, 'dream')), schedule: 'dream', episodes: flags.dreamEpisodes }), logger, signal);
  console.log(`  dream: ${formatSummary(dream.result)}\n`);

  console.log(`3/3 fidelity: ${flags.fidelityEpisodes} real episodes on held-out goals, each step shadowed by 4 dream predictions`);
  const fidelity = await executeRunPlan(runPlanFromFlags('fidelity', { ...runFlags(flags, [seeds.dir], join(out, 'fidelity')), schedule: 'real', episodes: flags.fidelityEpisodes, shadow: 4 }), logger, signal);
  console.log(`  real:  ${formatSummary(fidelity.result)} (${formatSchedule(fidelity.schedule)})`);
  if (fidelity.result.shadow) console.log(`  ${formatShadowCounts(fidelity.result.shadow)}`);
  if (fidelity.fidelity) {
    const { eps_R: r, eps_P: p } = fidelity.fidelity;
    console.log(`  eps_R (reward error)     ${fmt(r.mean)}  95% CI [${fmt(r.ci_low)}, ${fmt(r.ci_high)}] over ${r.n} steps`);
    console.log(`  eps_P (transition error) ${fmt(p.mean)}  95% CI [${fmt(p.ci_low)}, ${fmt(p.ci_high)}]`);
    console.log(`  report: ${fidelity.fidelity.htmlPath}`);
  }
  console.log(`\nrun directories: ${seeds.dir}, ${dream.dir}, ${fidelity.dir}`);
};
