import { z } from 'zod';

/**
 * `manifest.json` of a run directory. The fields every command records are typed; what a command
 * adds of its own (schedule, server settings, results) is kept as it is (`loose`).
 */
export const runManifestSchema = z
  .object({
    run_id: z.string().min(1),
    /** Every run that wrote into the directory (a resumed run adds its own id). */
    run_ids: z.array(z.string().min(1)).min(1),
    command: z.array(z.string()).min(1),
    created_at: z.iso.datetime(),
    seeds: z.record(z.string(), z.union([z.number(), z.string()])),
    versions: z.object({
      dreambridge: z.string(),
      node: z.string(),
      playwright: z.string(),
      /** The browser's name and version; null when the command used none (dream only). */
      browser: z.string().nullable(),
    }),
    site: z.object({ env: z.string(), profile_version: z.string() }).loose(),
    models: z.record(z.string(), z.unknown()),
  })
  .loose();

export type RunManifest = z.infer<typeof runManifestSchema>;
