import type { Observation, SiteProfile, Termination, Transition } from '../../src/protocol/index.js';
import { inferSessionAction } from './webshop-session-actions.js';
import type { LoggedLine } from './webshop-session-log.js';
import { readSessionPage, renderSessionPage, sessionOptions, type SessionPage } from './webshop-session-pages.js';

/** A page pair no rule explains (or an action the profile rejects): where, and why. */
export interface SessionProblem {
  file: string;
  line: number;
  from_url: string;
  to_url: string;
  reason: string;
}

/** One imported session: its steps (without run/episode ids) and how it ended. */
export interface ImportedSession {
  sessionId: string;
  instruction: string;
  steps: Array<Omit<Transition, 'run_id' | 'episode_id'>>;
  termination: Termination;
  totalReward: number;
  /** The first unexplained pair: the session is kept up to it. */
  problem?: SessionProblem;
  /** Lines that logged the page before them again (a reload): no action, skipped. */
  repeats: number[];
}

const observe = (p: SessionPage, text: string, profile: SiteProfile): Observation => ({
  text,
  instruction: p.logged.goal.instruction_text,
  url: p.logged.url,
  ...(profile.pageType(text) === undefined ? {} : { page_type: profile.pageType(text) as string }),
  available_actions: profile.availableActions(text),
  source: 'real',
});

const finish = (file: string, pages: SessionPage[], profile: SiteProfile, urlProblem?: SessionProblem): ImportedSession => {
  const options = sessionOptions(pages);
  const first = pages[0];
  const result: ImportedSession = {
    sessionId: first?.url.sid ?? '',
    instruction: first?.logged.goal.instruction_text ?? '',
    steps: [],
    termination: 'closed',
    totalReward: 0,
    repeats: [],
  };
  let prev = first;
  let state = prev ? observe(prev, renderSessionPage(prev, options), profile) : undefined;
  for (const next of pages.slice(1)) {
    if (!prev || !state) break;
    if (next.logged.url === prev.logged.url) {
      result.repeats.push(next.line);
      continue;
    }
    const problemAt = (reason: string): SessionProblem => ({ file, line: next.line, from_url: prev?.logged.url ?? '', to_url: next.logged.url, reason });
    const inferred = inferSessionAction(prev, next);
    if (!inferred.ok) return { ...result, termination: 'error', problem: problemAt(inferred.reason) };
    const verdict = profile.validateAction(inferred.action, state.available_actions);
    if (!verdict.valid) return { ...result, termination: 'error', problem: problemAt(`${inferred.action} is not valid on the ${state.page_type ?? 'unknown'} page: ${verdict.reason ?? ''}`) };
    const nextState = observe(next, renderSessionPage(next, options), profile);
    const done = next.url.type === 'done';
    const reward = done ? (next.logged.reward ?? 0) : 0;
    result.steps.push({
      task_id: result.sessionId,
      env: 'webshop',
      source: 'real',
      step: result.steps.length,
      state,
      action: inferred.action,
      next_state: nextState,
      reward,
      done,
      truncated: false,
      info: {
        latency_ms: 0,
        provenance: 'human',
        log: { file, line: next.line },
        ...(done && next.logged.reward_info ? { reward_components: next.logged.reward_info } : {}),
      },
    });
    result.totalReward += reward;
    if (done) return { ...result, termination: 'done' };
    prev = next;
    state = nextState;
  }
  return urlProblem ? { ...result, termination: 'error', problem: urlProblem } : result;
};

/**
 * One human session as an expert episode: observations rendered from the logged pages, actions
 * inferred from consecutive pages and checked against the profile, the logged reward on the done
 * step (with its components), `info.provenance: "human"` and the log line of every step. A pair no
 * rule explains, or an inferred action the profile rejects, ends the session there (reported,
 * never guessed); a page logged twice in a row is a reload and adds no step.
 */
export const importSession = (file: string, lines: readonly LoggedLine[], profile: SiteProfile): ImportedSession => {
  const pages: SessionPage[] = [];
  for (const line of lines) {
    const page = readSessionPage(line);
    if (!page) {
      const problem = { file, line: line.line, from_url: pages.at(-1)?.logged.url ?? '', to_url: line.page.url, reason: `the URL is no WebShop ${line.page.page} route` };
      return finish(file, pages, profile, problem);
    }
    pages.push(page);
  }
  return finish(file, pages, profile);
};
