import { Command } from 'commander';
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
import { importCommand } from './import-command.js';
import { branchCommand } from './branch-command.js';
import { annotateCommand } from './annotate-command.js';
import { exportCommand } from './export-command.js';
import { reportError, throwParseErrors } from './report-error.js';

const program = new Command('dreambridge')
  .description('A real-environment bridge for agent RL with synthetic experience: WebShop and WebArena through a browser.')
  .version(packageVersion(), '-V, --version');

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
program.addCommand(importCommand());
program.addCommand(branchCommand());
program.addCommand(annotateCommand());
program.addCommand(exportCommand());

// A flag mistake is one `error CONFIG_INVALID: …` line and exit 1, like any typed error.
throwParseErrors(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exit(reportError(error));
}
