import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../tests/helpers/cli.js';
import { killAndResume, type KillResumeReport } from '../tests/helpers/kill-resume.js';

/**
 * The kill/resume check at full size: a s2r run under a ledger cap SIGKILLed `kills` times at
 * random points and resumed each time. Returns the report and the list of violated invariants.
 */
export const stressKillResume = async (options: { kills?: number; cap?: number; episodes?: number } = {}): Promise<{ report: KillResumeReport; problems: string[] }> => {
  const kills = options.kills ?? 20;
  const cap = options.cap ?? 120;
  const episodes = options.episodes ?? 60;
  const realConcurrency = 2;
  const dir = await mkdtemp(join(tmpdir(), 'dreambridge-stress-resume-'));
  try {
    const seeds = join(dir, 'seeds');
    const collected = await runCli(['collect', '--env', 'webshop', '--fixture', '--episodes', '10', '--concurrency', '2', '--out', seeds]);
    if (collected.code !== 0) throw new Error(`seed collection failed: ${collected.stderr}`);
    const out = join(dir, 'run');
    const ledger = join(dir, 'ledger.json');
    const args = ['run', '--env', 'webshop', '--fixture', '--schedule', 's2r', '--dream-episodes', '5', '--episodes', String(episodes), '--real-cap', String(cap), '--ledger', ledger,
      '--buffer', seeds, '--concurrency', '2', '--real-concurrency', String(realConcurrency), '--out', out];
    const report = await killAndResume(args, out, ledger, kills);
    const problems: string[] = [];
    if (report.exitCode !== 0) problems.push(`the final resume exited ${report.exitCode}: ${report.stderr.slice(0, 500)}`);
    if (report.realAfterKill.some((n) => n > cap) || report.realLogged > cap) problems.push(`real steps over the cap ${cap}`);
    if (report.ledger.used < report.realLogged) problems.push(`ledger used ${report.ledger.used} < logged real steps ${report.realLogged}`);
    if (report.ledger.used - report.realLogged > report.kills * realConcurrency) problems.push(`ledger used exceeds logged real steps by more than the in-flight bound`);
    if (report.ledger.reserved !== 0) problems.push(`${report.ledger.reserved} reservations left open`);
    if (report.changed.length > 0) problems.push(`finished episodes changed: slots ${report.changed.join(', ')}`);
    if (report.duplicates > 0) problems.push(`${report.duplicates} finished episodes repeated`);
    if (report.orphans > 0) problems.push(`${report.orphans} transitions without an episode line`);
    return { report, problems };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
