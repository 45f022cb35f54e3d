import { Command } from 'commander';

/** `dreambridge import webshop-sessions FILE|DIR… --out DIR`. */
export const importCommand = (): Command =>
  new Command('import').description('turn recorded trajectories of other formats into run directories').addCommand(
    new Command('webshop-sessions')
      .description("WebShop's human session logs (one JSON page per line) as expert episodes: actions inferred from consecutive pages, provenance human")
      .argument('<paths...>', 'session log files (.jsonl), or directories of them')
      .requiredOption('--out <dir>', 'the run directory to write (must be new or empty)')
      .option('--fsync', 'fsync every line (durable against power loss; slower)')
      .action(async (paths: string[], flags: { out: string; fsync?: boolean }) => {
        const { importWebShopSessions } = await import('./import-webshop-sessions-run.js');
        const outcome = await importWebShopSessions({ inputs: paths, out: flags.out, fsync: flags.fsync ?? false });
        for (const p of outcome.problems) console.error(`unexplained ${p.file}:${p.line}: ${p.reason} (${p.from_url} → ${p.to_url}); the session is kept up to there`);
        console.log(`sessions ${outcome.sessions} (${outcome.done} ending in a purchase), ${outcome.steps} steps, ${outcome.problems.length} unexplained page pairs`);
        console.log(`run directory: ${outcome.dir}`);
      }),
  );
