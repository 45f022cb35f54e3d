import { dependencyVersion, packageVersion, type RunManifest } from '../../src/store/index.js';

/** The command line for a manifest, with the values of secret flags (`--token`) masked. */
export const maskedCommandLine = (args: readonly string[] = process.argv.slice(2), secret: readonly string[] = ['--token']): string[] => [
  'dreambridge',
  ...args.map((a, i) => {
    if (secret.includes(args[i - 1] ?? '')) return '***';
    const flag = secret.find((s) => a.startsWith(`${s}=`));
    return flag ? `${flag}=***` : a;
  }),
];

/** Versions every manifest records: the package, Node, Playwright, and the browser (null when none was used). */
export const manifestVersions = (browser: string | undefined): RunManifest['versions'] => ({
  dreambridge: packageVersion(),
  node: process.version,
  playwright: dependencyVersion('playwright-core'),
  browser: browser ?? null,
});

export interface ManifestBase {
  runId: string;
  /** The manifest of an earlier run in the directory (`--resume`). */
  previous?: RunManifest | undefined;
  command?: readonly string[] | undefined;
  seed: number;
  browser: string | undefined;
  site: RunManifest['site'];
  models: Record<string, unknown>;
}

/** The fields every command's manifest has; a resumed run keeps the first creation time and adds its id. */
export const manifestBase = (base: ManifestBase): RunManifest => {
  const earlier = base.previous?.run_ids ?? (typeof base.previous?.run_id === 'string' ? [base.previous.run_id] : []);
  return {
    run_id: base.runId,
    run_ids: [...earlier, base.runId],
    command: [...(base.command ?? maskedCommandLine())],
    created_at: base.previous?.created_at ?? new Date().toISOString(),
    seeds: { seed: base.seed },
    versions: manifestVersions(base.browser),
    site: base.site,
    models: base.models,
  };
};
