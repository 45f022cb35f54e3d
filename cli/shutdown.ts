/**
 * Runs `cleanup` once on SIGINT or SIGTERM, then exits 0 (1 if cleanup fails). A second signal
 * exits at once, so a stuck cleanup can always be interrupted.
 */
export const onShutdown = (cleanup: (signal: NodeJS.Signals) => Promise<void>): void => {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130);
    stopping = true;
    cleanup(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`error during shutdown: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
};
