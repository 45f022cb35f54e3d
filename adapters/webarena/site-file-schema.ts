import { z } from 'zod';

// The schema of `--site-file FILE`: one entry per site (any name), each with its URL, login recipe,
// reset, page rules, step limit and isolation. Objects are strict, so a misspelt key is an error
// naming it rather than a setting silently ignored.

/** An element of a page: by ARIA role and accessible name (as the observation shows it), or a CSS selector. */
export const elementTargetSchema = z
  .strictObject({
    role: z.string().min(1).optional(),
    name: z.string().optional(),
    selector: z.string().min(1).optional(),
  })
  .refine((t) => (t.selector !== undefined) !== (t.role !== undefined), { message: 'expected either "role" (with "name") or "selector"' })
  .refine((t) => t.selector === undefined || t.name === undefined, { message: '"name" goes with "role", not with "selector"' });

/** Every check given must hold (at least one): the page's URL, or text/an element present or absent. */
export const pageCheckSchema = z
  .strictObject({
    /** A regular expression the page's URL must match. */
    url: z
      .string()
      .refine((source) => {
        try {
          new RegExp(source);
          return true;
        } catch {
          return false;
        }
      }, { message: 'not a valid regular expression' })
      .optional(),
    text_present: z.string().min(1).optional(),
    text_absent: z.string().min(1).optional(),
    element_present: elementTargetSchema.optional(),
    element_absent: elementTargetSchema.optional(),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), { message: 'expected at least one of url, text_present, text_absent, element_present, element_absent' });

export const loginRecipeSchema = z.strictObject({
  /** The login page: a path under the site's URL (`/doku.php?do=login`) or an absolute URL. */
  url: z.string().min(1),
  username: z.string().min(1).optional(),
  password: z.string().optional(),
  /** An environment variable holding the password (kept out of the file). */
  password_env: z.string().min(1).optional(),
  fields: z
    .strictObject({
      username: elementTargetSchema,
      password: elementTargetSchema,
    })
    .optional(),
  /** The submit control; default: Enter in the password field. */
  submit: elementTargetSchema.optional(),
  /** What a logged-in page shows; checked after every login and on a storage state's first use. */
  success: pageCheckSchema,
  /** Where a stored login is checked. Default: the site's URL. */
  check_url: z.string().min(1).optional(),
});

export const readinessSchema = z.strictObject({
  /** Polled with GET until ready. Default: the site's URL. */
  url: z.string().min(1).optional(),
  /** The status that means ready. Default: any 2xx or 3xx. */
  status: z.int().min(100).max(599).optional(),
  /** Text the body must contain. */
  text: z.string().min(1).optional(),
  /** Default 30000. */
  timeout_ms: z.int().positive().optional(),
  /** Default 200. */
  interval_ms: z.int().positive().optional(),
});

export const resetSchema = z
  .strictObject({
    /** A shell command (run by /bin/sh -c) or an argv list; it runs in the site file's folder. */
    command: z.union([z.string().min(1), z.array(z.string()).min(1)], { message: 'expected a command string or a non-empty list of strings' }).optional(),
    /** An HTTP request, e.g. a reset endpoint of the site's container controller. */
    http: z
      .strictObject({
        url: z.string().min(1),
        method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']).optional(),
        headers: z.record(z.string(), z.string()).optional(),
        body: z.string().optional(),
      })
      .optional(),
    /** `episode` (before every episode on the site, default), `run` (once, before the first), `never` (only for require_reset tasks). */
    when: z.enum(['episode', 'run', 'never']).optional(),
    ready: readinessSchema.optional(),
    /** Default 60000. */
    timeout_ms: z.int().positive().optional(),
  })
  .refine((r) => (r.command !== undefined) !== (r.http !== undefined), { message: 'expected either "command" or "http"' });

/** Page-type and canonical-key rules for the URLs under one path. */
export const pageRuleSchema = z.strictObject({
  /** A URL path relative to the site's URL (`/doku.php`); a trailing `*` matches any path with that prefix. */
  path: z.string().startsWith('/'),
  /** Query parameters whose values name the page type (`do` → `wiki:/doku.php?do=edit`). */
  type_query: z.array(z.string().min(1)).optional(),
  /** Query parameters that identify the state (`id`, `do`, `rev`). */
  key_query: z.array(z.string().min(1)).optional(),
  /** Whether the key also holds a digest of the main region's content (default true: an edit changes the key). */
  content: z.boolean().optional(),
});

export const siteEntrySchema = z.strictObject({
  url: z.string().min(1),
  login: loginRecipeSchema.optional(),
  reset: resetSchema.optional(),
  pages: z.array(pageRuleSchema).optional(),
  max_steps: z.int().positive().max(1000).optional(),
  /** Whether episodes on this site never see each other's changes (then concurrency > 1 is allowed). Default false. */
  isolated: z.boolean().optional(),
});

export const siteFileSchema = z.strictObject({
  $schema: z.string().optional(),
  sites: z.record(z.string(), siteEntrySchema).refine((s) => Object.keys(s).length > 0, { message: 'expected at least one site' }),
});

export type ElementTarget = z.output<typeof elementTargetSchema>;
export type PageCheck = z.output<typeof pageCheckSchema>;
export type LoginRecipe = z.output<typeof loginRecipeSchema>;
export type Readiness = z.output<typeof readinessSchema>;
export type ResetRecipe = z.output<typeof resetSchema>;
export type PageRule = z.output<typeof pageRuleSchema>;
export type SiteEntry = z.output<typeof siteEntrySchema>;
