import { Command } from 'commander';
import type { DemoFlags } from './demo-run.js';
import { intOption } from './parse-int-option.js';

const runDemo = async (flags: DemoFlags): Promise<void> => (await import('./demo-run.js')).runDemo(flags);

export const demoCommand = (): Command =>
  new Command('demo')
    .description('start the local WebShop, walk one episode over HTTP (search, open a result, buy), print observations and reward, exit')
    .option('--goal <n>', 'goal index to play (default: the first train goal, 1500)', intOption(0))
    .option('--seed <n>', 'catalogue seed', intOption(0), 0)
    .option('--size <n>', 'number of generated products', intOption(1, 1_000_000), 1000)
    .option('--width <n>', 'characters of each observation to print', intOption(40), 400)
    .action(runDemo);
