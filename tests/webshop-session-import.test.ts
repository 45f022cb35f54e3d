import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWebShopProfile } from '../adapters/webshop/webshop-profile.js';
import { importSession } from '../adapters/webshop/webshop-session-episode.js';
import { parseSessionLog } from '../adapters/webshop/webshop-session-log.js';
import { recordedProvenance } from '../src/replay/replay-buffer.js';
import { runManifestSchema } from '../src/store/run-manifest.js';
import { runCli } from './helpers/cli.js';
import { readEpisodeLines, readTransitions } from './helpers/kill-resume.js';
import { sharedFile } from './helpers/shared-data.js';

const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `dreambridge-${name}-`));
const profile = createWebShopProfile();

/** The logged rewards of the done pages, by session id. */
const loggedRewards = (dir: string, files: string[]): Map<string, number> =>
  new Map(
    files.map((f) => {
      const lines = readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { page: string; url: string; reward?: number });
      const done = lines.find((l) => l.page === 'done');
      return [new URL(lines[0]!.url).pathname.slice(1), done?.reward ?? Number.NaN];
    }),
  );

describe('dreambridge import webshop-sessions', () => {
  it("imports WebShop's 9 human sessions: every action valid for its page, the logged reward on the done step, provenance human", async (context) => {
    const dir = sharedFile('webshop/human_demos');
    if (!dir) return context.skip();
    const out = join(tmp('import'), 'run');
    const result = await runCli(['import', 'webshop-sessions', dir, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('sessions 9 (9 ending in a purchase)');
    const files = ['20220427_1_12', '20220427_1_13', '20220427_1_15', '20220427_1_17', '20220427_1_18', '20220427_1_21', '20220427_1_23', '20220427_1_6', '20220427_1_7'].map((s) => `${s}.jsonl`);
    const rewards = loggedRewards(dir, files);
    const episodes = readEpisodeLines(out);
    const transitions = readTransitions(out);
    expect(episodes).toHaveLength(9);
    for (const episode of episodes) {
      expect(episode.termination).toBe('done');
      const steps = transitions.filter((t) => t.episode_id === episode.episode_id);
      expect(steps.map((t) => t.step)).toEqual(steps.map((_, i) => i));
      for (const t of steps) {
        // Valid by the profile on the state's own available actions, read back from its text.
        expect(profile.validateAction(t.action, profile.availableActions(t.state.text)), `${t.action} on ${t.state.url}`).toMatchObject({ valid: true });
        expect(t.state.available_actions).toEqual(profile.availableActions(t.state.text));
        expect(t.info['provenance']).toBe('human');
        expect(recordedProvenance(t)).toBe('human');
      }
      const last = steps.at(-1)!;
      expect(last.action).toBe('click[buy now]');
      expect(last.done).toBe(true);
      expect(last.reward).toBe(rewards.get(episode.task_id));
      expect(episode.total_reward).toBe(rewards.get(episode.task_id));
      expect(last.next_state.page_type).toBe('done');
      expect(profile.canonicalKey(last.next_state).key).toMatch(/^done\|/);
    }
    // Session 15 picks two options; 23 goes to results page 2; 7 opens a sub-page and comes back; 12 searches twice.
    const actionsOf = (sid: string) => transitions.filter((t) => t.task_id === sid).map((t) => t.action);
    expect(actionsOf('20220427_1_15')).toEqual(['search[teen girl pink loafers size eight]', 'click[b0868kf3zb]', 'click[8]', 'click[z2-pink]', 'click[buy now]']);
    expect(actionsOf('20220427_1_23')).toEqual(['search[red earbud headphones]', 'click[next >]', 'click[b08cz8ws38]', 'click[red]', 'click[buy now]']);
    expect(actionsOf('20220427_1_7')).toEqual(['search[lenovo chromebook i3-8130u cpu]', 'click[b07xc7gvrk]', 'click[description]', 'click[< prev]', 'click[buy now]']);
    expect(actionsOf('20220427_1_12')).toEqual(['search[living room furniture]', 'click[back to search]', 'search[living room and kitchen furniture]', 'click[b09lylklvx]', 'click[buy now]']);
    // The results page's key is the logged page and ASINs, as the real page's would be.
    const results = transitions.find((t) => t.task_id === '20220427_1_23' && t.action === 'click[next >]')!;
    expect(profile.canonicalKey(results.next_state).key).toMatch(/^results\|p=2\|B08CZ8WS38,/);
    const manifest = runManifestSchema.parse(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
    expect(manifest).toMatchObject({ kind: 'import', provenance: 'human', import: { sessions: 9, done: 9, problems: [] } });
  }, 60_000);

  it('reports a page pair no rule explains (file, line, both URLs) and keeps the session up to there', () => {
    const goal = { instruction_text: 'i need red shoes' };
    const log = [
      { page: 'index', url: 'http://h/s1', goal },
      { page: 'search_results', url: "http://h/search_results/s1/%5B%27red%27%5D/1", goal, content: { keywords: ['red'], search_result_asins: ['B0AAAAAAAA', 'B0BBBBBBBB'], page: 1 } },
      // An item that the results did not list: no click explains it.
      { page: 'item_page', url: "http://h/item_page/s1/B0CCCCCCCC/%5B%27red%27%5D/1/%7B%7D", goal, content: { asin: 'B0CCCCCCCC', options: {} } },
    ].map((l) => JSON.stringify(l)).join('\n');
    const session = importSession('s1.jsonl', parseSessionLog('s1.jsonl', log), profile);
    expect(session.steps.map((t) => t.action)).toEqual(['search[red]']);
    expect(session.termination).toBe('error');
    expect(session.problem).toMatchObject({ file: 's1.jsonl', line: 3, from_url: 'http://h/search_results/s1/%5B%27red%27%5D/1', to_url: 'http://h/item_page/s1/B0CCCCCCCC/%5B%27red%27%5D/1/%7B%7D' });
    expect(session.problem?.reason).toContain('B0CCCCCCCC is not among the results listed');
  });

  it('a file that is not a WebShop page log is SESSION_LOG_INVALID naming file and line, exit 1, nothing written', async () => {
    const dir = tmp('import-bad');
    const file = join(dir, 'notes.jsonl');
    writeFileSync(file, '{"page": "index", "url": "http://h/s1", "goal": {"instruction_text": "x"}}\n{"hello": 1}\n');
    const result = await runCli(['import', 'webshop-sessions', file, '--out', join(dir, 'run')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error SESSION_LOG_INVALID: .*notes\.jsonl:2: not a logged WebShop page/m);
    expect(existsSync(join(dir, 'run'))).toBe(false);
    writeFileSync(file, 'not json at all\n');
    const again = await runCli(['import', 'webshop-sessions', file, '--out', join(dir, 'run')]);
    expect(again.stderr).toMatch(/error SESSION_LOG_INVALID: .*notes\.jsonl:1: not JSON/);
  }, 30_000);
});
