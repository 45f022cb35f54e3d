import type { Policy } from '../../src/env/policy.js';
import type { Task } from '../../src/protocol/index.js';
import type { BrowserSource } from '../browser/browser-provider.js';
import type { DoctorCheck } from './webshop-doctor.js';
import { createWebShopEnvFactory } from './webshop-env-factory.js';
import { createHeuristicWebShopPolicy } from './webshop-heuristic-policy.js';
import { createWebShopHttpEnvFactory } from './webshop-http-env-factory.js';
import { compareTransports, type ConformanceEpisode, type ConformanceReport } from './webshop-transport-conformance.js';
import { createWebShopTourPolicy } from './webshop-tour-policy.js';
import { WEBSHOP_DEFAULT_MAX_STEPS } from './webshop-profile.js';

export interface TransportCheckOptions {
  baseUrl: string;
  /** Goals the episodes use (each gets a tour, a heuristic and, when given, a random episode). */
  goals: readonly number[];
  /** A seeded random policy per episode (injected: the random policy lives in the harness). */
  randomPolicy?: (seed: number) => Policy;
  browser?: BrowserSource;
  /** Per-step timeout. Default 30000 ms. */
  timeoutMs?: number;
  onEpisode?: (done: number, total: number) => void;
}

/** The episodes of the check: per goal a tour of every action kind, the heuristic, and a random walk. */
export const transportCheckEpisodes = (goals: readonly number[], randomPolicy?: (seed: number) => Policy): ConformanceEpisode[] =>
  goals.flatMap((goal) => {
    const task: Task = { task_id: String(goal), env: 'webshop' };
    return [
      { label: `tour, goal ${goal}`, task, policy: createWebShopTourPolicy },
      { label: `heuristic, goal ${goal}`, task, policy: createHeuristicWebShopPolicy },
      ...(randomPolicy ? [{ label: `random, goal ${goal}`, task, policy: () => randomPolicy(goal), maxSteps: WEBSHOP_DEFAULT_MAX_STEPS }] : []),
    ];
  });

const shorten = (value: unknown): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? 'nothing' : text.length > 200 ? `${text.slice(0, 200)}…` : text;
};

/** Both strings around their first differing character (JSON-quoted), so the difference shows. */
export const aroundDifference = (a: string, b: string, before = 40, after = 80): [string, string] => {
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at += 1;
  const start = Math.max(0, at - before);
  const cut = (text: string): string => `${start > 0 ? '…' : ''}${JSON.stringify(text.slice(start, at + after))}${at + after < text.length ? '…' : ''}`;
  return [cut(a), cut(b)];
};

/** The report as doctor checks: one per page type seen, and the first difference when there is one. */
export const transportChecks = (report: ConformanceReport): DoctorCheck[] => {
  const checks: DoctorCheck[] = [];
  const seen = Object.entries(report.pageTypes).map(([kind, n]) => `${kind} ${n}`).join(', ');
  if (report.ok) {
    checks.push({ name: 'transport equivalence', status: 'pass', detail: `${report.episodes} episodes, ${report.steps} steps identical through browser and http (${seen})` });
  }
  for (const m of report.mismatches) {
    const at = m.step < 0 ? 'the reset' : `step ${m.step} (${m.action ?? ''})`;
    const [browser, http] = typeof m.browser === 'string' && typeof m.http === 'string' ? aroundDifference(m.browser, m.http) : [shorten(m.browser), shorten(m.http)];
    checks.push({ name: `transport equivalence: ${m.episode}`, status: 'fail', detail: `${at}: ${m.field} differs: browser ${browser}, http ${http}` });
  }
  for (const kind of ['search', 'results', 'item', 'item_sub', 'done', 'invalid']) {
    if (!(kind in report.pageTypes)) checks.push({ name: `transport equivalence: ${kind}`, status: 'warn', detail: `no ${kind} observation was compared` });
  }
  return checks;
};

/**
 * `doctor --transport http`: replays the same episodes through a browser and over http against
 * the site and requires identical transitions (compareTransports).
 */
export const runWebShopTransportCheck = async (options: TransportCheckOptions): Promise<DoctorCheck[]> => {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const http = await createWebShopHttpEnvFactory({ baseUrl: options.baseUrl, timeoutMs, maxSteps: 40 });
  try {
    const browser = await createWebShopEnvFactory({ baseUrl: options.baseUrl, timeoutMs, maxSteps: 40, ...(options.browser ? { browser: options.browser } : {}) });
    try {
      const report = await compareTransports({
        browser,
        http,
        episodes: transportCheckEpisodes(options.goals, options.randomPolicy),
        ...(options.onEpisode ? { onEpisode: options.onEpisode } : {}),
      });
      return transportChecks(report);
    } finally {
      await browser.close();
    }
  } finally {
    await http.close();
  }
};
