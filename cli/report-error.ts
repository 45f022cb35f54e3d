import { CommanderError, type Command } from 'commander';
import { codeOf } from '../src/env/code-of.js';
import { ConfigInvalidError } from '../src/env/errors.js';

/** Commander's exits that are no mistake: help or version asked for (already printed), or help shown for a missing subcommand. */
const NOT_MISTAKES = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

/**
 * Makes commander throw its parse errors instead of printing and exiting, on every command
 * (`addCommand` does not inherit the parent's settings), so `reportError` prints them once.
 */
export const throwParseErrors = (command: Command): void => {
  command.exitOverride().configureOutput({ outputError: () => undefined });
  for (const sub of command.commands) throwParseErrors(sub);
};

/**
 * A commander parse error (unknown option, missing or invalid value, unknown command) as the
 * CONFIG_INVALID it is: commander's text naming the flag, on one line.
 */
export const flagMistake = (error: CommanderError): ConfigInvalidError =>
  new ConfigInvalidError(error.message.replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ').trim(), { details: { commander: error.code } });

const STABLE_CODE = /^[A-Z][A-Z_]*$/;

/**
 * Prints why the command failed on stderr and returns the exit code: `error CODE: message` for
 * typed errors (ours, the fixtures', Node's errno) and flag mistakes; a stack trace only for an
 * unexpected error (a bug), and only with DEBUG set — otherwise its message and how to get it.
 */
export const reportError = (error: unknown, env: NodeJS.ProcessEnv = process.env): number => {
  if (error instanceof CommanderError) {
    if (NOT_MISTAKES.has(error.code)) return error.exitCode;
    return reportError(flagMistake(error), env);
  }
  const code = codeOf(error);
  if (error instanceof Error && code !== undefined && STABLE_CODE.test(code)) {
    console.error(`error ${code}: ${error.message}`);
    return 1;
  }
  if (env.DEBUG) console.error(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  else console.error(`error: ${error instanceof Error ? error.message : String(error)} (unexpected: rerun with DEBUG=1 for the stack trace)`);
  return 1;
};
