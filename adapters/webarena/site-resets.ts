import { ResetRequiredError } from '../../src/env/errors.js';
import type { SiteSpecs } from './site-file.js';
import { runSiteReset, type ResetRecord } from './site-reset.js';
import type { WebArenaTask } from './webarena-task-config.js';

/**
 * Tasks with `require_reset: true` whose sites have no reset: refused before anything starts, unless
 * the user accepts a dirty site (`--allow-dirty`). Returns the tasks run dirty (for the manifest).
 */
export const checkRequiredResets = (tasks: Iterable<WebArenaTask>, specs: SiteSpecs, allowDirty: boolean): string[] => {
  const dirty: Array<{ id: number; sites: string[] }> = [];
  for (const task of tasks) {
    if (!task.require_reset) continue;
    const missing = task.sites.filter((site) => specs.get(site)?.reset === undefined);
    if (missing.length > 0) dirty.push({ id: task.task_id, sites: missing });
  }
  if (dirty.length > 0 && !allowDirty) {
    const first = dirty[0];
    const shown = dirty.slice(0, 5).map((d) => String(d.id)).join(', ');
    throw new ResetRequiredError(
      `${dirty.length} task${dirty.length > 1 ? 's' : ''} (${shown}${dirty.length > 5 ? ', …' : ''}) ha${dirty.length > 1 ? 've' : 's'} require_reset: true but ${first?.sites.join(', ') ?? ''} ha${(first?.sites.length ?? 0) > 1 ? 've' : 's'} no reset: add "reset" to the site in --site-file, or pass --allow-dirty to run on the site as it is`,
      { tasks: dirty.map((d) => d.id) },
    );
  }
  return dirty.map((d) => String(d.id));
};

/**
 * The resets of a run's sites, shared by all its envs: `episode` resets before every episode on the
 * site, `run` once before the first, and any configured reset before a `require_reset` task. Resets
 * of one site never overlap (one at a time, in order).
 */
export class SiteResets {
  private readonly once = new Map<string, Promise<ResetRecord>>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly specs: SiteSpecs) {}

  /** Whether any site has a reset (else episodes skip this entirely). */
  get any(): boolean {
    return [...this.specs.values()].some((s) => s.reset !== undefined);
  }

  private serial<T>(site: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(site) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.queues.set(site, next.catch(() => undefined));
    return next;
  }

  /** Runs what the task's sites need before its episode; the records of the resets that ran. */
  async beforeEpisode(task: WebArenaTask, sites: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<ResetRecord[]> {
    const records: ResetRecord[] = [];
    for (const site of new Set(task.sites)) {
      const spec = this.specs.get(site);
      const reset = spec?.reset;
      if (!spec || !reset) continue;
      const base = sites[site] ?? spec.url;
      const when = reset.when ?? 'episode';
      if (when === 'episode' || task.require_reset) {
        records.push(await this.serial(site, () => runSiteReset(site, base, reset, when === 'episode' ? 'episode' : 'require_reset', signal)));
      } else if (when === 'run') {
        const first = !this.once.has(site);
        if (first) {
          const pending = this.serial(site, () => runSiteReset(site, base, reset, 'run', signal));
          // A failed run reset is tried again by the next episode rather than failing all of them unseen.
          void pending.catch(() => this.once.delete(site));
          this.once.set(site, pending);
        }
        const record = await (this.once.get(site) as Promise<ResetRecord>);
        if (first) records.push(record);
      }
    }
    return records;
  }
}
