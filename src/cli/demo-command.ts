import { Command } from 'commander';
import type { DemoFlags } from './demo-run.js';
import { intOption } from './parse-int-option.js';

const runDemo = async (flags: DemoFlags): Promise<void> => (await import('./demo-run.js')).runDemo(flags);

export const demoCommand = (): Command =>
  new Command('demo')
    .description('start the local WebShop, collect heuristic episodes in real Chromium, print one episode and the summary, exit')
    .option('--episodes <n>', 'episodes to collect (train goals in order)', intOption(1), 20)
    .option('--concurrency <k>', 'episodes in flight at once', intOption(1, 64), 2)
    .option('--seed <n>', 'catalogue seed', intOption(0), 0)
    .option('--out <dir>', 'run directory (default runs/demo-<timestamp>)')
    .action(runDemo);
