import type { Episode, Transition } from '../../src/protocol/index.js';
import type { RunDirectory } from '../../src/store/index.js';

/** The slot of an episode id `<runId>-<task_id>-<slot>`. */
export const slotOfEpisode = (episodeId: string): number | undefined => {
  const m = /-(\d+)$/.exec(episodeId);
  return m?.[1] === undefined ? undefined : Number(m[1]);
};

/** Episode lines for episodes that have transitions but no line (the process died mid-episode). */
export const orphanEpisodes = (transitions: readonly Transition[], episodes: readonly Episode[], now = new Date()): Episode[] => {
  const ended = new Set(episodes.map((e) => e.episode_id));
  const open = new Map<string, Transition[]>();
  for (const t of transitions) {
    if (ended.has(t.episode_id)) continue;
    const list = open.get(t.episode_id);
    if (list) list.push(t);
    else open.set(t.episode_id, [t]);
  }
  return [...open.values()].map((steps) => {
    const first = steps[0] as Transition;
    const sources = new Set(steps.map((t) => t.source));
    return {
      run_id: first.run_id,
      episode_id: first.episode_id,
      task_id: first.task_id,
      env: first.env,
      source: sources.size > 1 ? 'mixed' : first.source,
      steps: steps.length,
      total_reward: steps.reduce((sum, t) => sum + t.reward, 0),
      success: false,
      termination: 'interrupted',
      error: 'the run was killed during this episode; it is re-run under a new episode id on resume',
      started_at: now.toISOString(),
      ended_at: now.toISOString(),
    };
  });
};

/**
 * Prepares a run directory for `--resume`: episodes cut by a crash get an `interrupted` line;
 * returns the slots already finished (any termination but `interrupted`), which are not re-run.
 */
export const prepareResume = async (runDir: RunDirectory): Promise<{ finished: Set<number>; orphans: number; realStepsLogged: number }> => {
  const [transitions, episodes] = await Promise.all([runDir.readTransitions(), runDir.readEpisodes()]);
  const orphans = orphanEpisodes(transitions, episodes);
  for (const episode of orphans) await runDir.appendEpisode(episode);
  const finished = new Set<number>();
  for (const e of episodes) {
    const slot = slotOfEpisode(e.episode_id);
    if (slot !== undefined && e.termination !== 'interrupted') finished.add(slot);
  }
  return { finished, orphans: orphans.length, realStepsLogged: transitions.filter((t) => t.source === 'real').length };
};
