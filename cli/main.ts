import { Command, CommanderError } from 'commander';
import { isDreambridgeError } from '../src/env/errors.js';
import { budgetCommand } from './budget-command.js';
import { collectCommand } from './collect-command.js';
import { demoCommand } from './demo-command.js';
import { doctorCommand } from './doctor-command.js';
import { evaluateCommand } from './evaluate-command.js';
import { fixtureCommand } from './fixture-command.js';
import { packageVersion } from '../src/store/package-versions.js';
import { tasksCommand } from './tasks-command.js';
import { reportCommand } from './report-command.js';
import { serveCommand } from './serve-command.js';
import { runCommand } from './run-command.js';
import { fidelityCommand } from './fidelity-command.js';
import { curriculumCommand } from './curriculum-command.js';

const program = new Command('dreambridge')
  .description('A real-environment bridge for agent RL with synthetic experience: WebShop and WebArena through a browser.')
  .version(packageVersion(), '-V, --version')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

program.addCommand(demoCommand());
program.addCommand(collectCommand());
program.addCommand(runCommand());
program.addCommand(fidelityCommand());
program.addCommand(curriculumCommand());
program.addCommand(doctorCommand());
program.addCommand(fixtureCommand());
program.addCommand(tasksCommand());
program.addCommand(evaluateCommand());
program.addCommand(budgetCommand());
program.addCommand(reportCommand());
program.addCommand(serveCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  // Typed errors (the product's and the fixtures') carry a stable code: show it, not a stack.
  const code = isDreambridgeError(error) ? error.code : (error as { code?: unknown }).code;
  if (error instanceof Error && typeof code === 'string' && /^[A-Z_]+$/.test(code)) {
    console.error(`error ${code}: ${error.message}`);
  } else {
    console.error(`error: ${(error as Error).stack ?? String(error)}`);
  }
  process.exit(1);
}
