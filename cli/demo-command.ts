import { Command } from 'commander';
import type { DemoFlags } from './demo-run.js';
import { intOption } from './parse-int-option.js';

const runDemo = async (flags: DemoFlags): Promise<void> => (await import('./demo-run.js')).runDemo(flags);

export const demoCommand = (): Command =>
  new Command('demo')
    .description('the local WebShop in real Chromium: real seed episodes, dream episodes on held-out goals (retrieval model), a shadowed real run measuring eps_R and eps_P; then exit')
    .option('--episodes <n>', 'real seed episodes (train goals in order)', intOption(1), 20)
    .option('--dream-episodes <n>', 'dream episodes on held-out goals', intOption(1), 20)
    .option('--fidelity-episodes <n>', 'shadowed real episodes on held-out goals', intOption(1), 6)
    .option('--concurrency <k>', 'episodes in flight at once', intOption(1, 64), 2)
    .option('--seed <n>', 'catalogue seed', intOption(0), 0)
    .option('--out <dir>', 'demo directory holding the seeds, dream and fidelity run directories (default runs/demo-<timestamp>)')
    .action(runDemo);
