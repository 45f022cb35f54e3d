import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { sharedFile } from './helpers/shared-data.js';

interface RawTask {
  task_id: number;
  eval: { eval_types: string[]; reference_url: string | null };
}

interface ResultLine {
  task_id: number;
  score: 0 | 1 | null;
  needs_live_site?: true;
  needs_placeholders?: string[];
  unsupported?: string[];
  evaluators: { name: string; score: number; unscored?: string; reason?: string }[];
}

const ALL_SITES = 'shopping=http://shop.test:7770,shopping_admin=http://shop.test:7780/admin,reddit=http://forum.test:9999,gitlab=http://git.test:8023,wikipedia=http://wiki.test:8888,map=http://map.test:3000';

describe('dreambridge evaluate on the 812 real configs', () => {
  it('scores every task it can and reports the rest with what they need', async (context) => {
    const file = sharedFile('webarena/test.raw.json');
    if (!file) return context.skip();
    const tasks = JSON.parse(readFileSync(file, 'utf8')) as RawTask[];
    const dir = mkdtempSync(join(tmpdir(), 'dreambridge-evaluate-812-'));
    const answers = join(dir, 'answers.jsonl');
    // An agent that gave up at once: no answer, on a page no reference names.
    writeFileSync(answers, tasks.map((t) => JSON.stringify({ task_id: t.task_id, answer: '', url: 'http://nowhere.test/' })).join('\n'));
    const types = (t: RawTask): string => t.eval.eval_types.join('+');
    const count = (pred: (t: RawTask) => boolean): number => tasks.filter(pred).length;

    // Every site given: string_match and url_match score without a browser; program_html waits for
    // the live site, unless url_match already scored 0 (then the task is 0 whatever the page says).
    const all = await runCli(['evaluate', '--configs', file, '--answers', answers, '--sites', ALL_SITES], {});
    expect(all.code, all.stderr).toBe(0);
    const results = all.stdout.trim().split('\n').map((l) => JSON.parse(l) as ResultLine);
    expect(results).toHaveLength(812);
    const programOnly = count((t) => types(t) === 'program_html');
    expect(results.filter((r) => r.needs_live_site === true)).toHaveLength(programOnly);
    for (const r of results.filter((x) => x.evaluators.some((e) => e.name === 'url_match') && x.needs_live_site !== true)) expect(r.score, `task ${r.task_id}`).toBe(0);
    expect(results.filter((r) => r.score !== null)).toHaveLength(812 - programOnly);
    expect(all.stderr.trim().split('\n').at(-1)).toBe(`scored ${812 - programOnly}, mean 0.000, needs_live_site ${programOnly}, needs_placeholder 0, unsupported 0, missing answers 0`);

    // No map URL: the url_match tasks on the map wait for it (named), everything else is still scored.
    const noMap = await runCli(['evaluate', '--configs', file, '--answers', answers, '--sites', ALL_SITES.replace(/,map=[^,]+/, '')], {});
    expect(noMap.code, noMap.stderr).toBe(0);
    const partial = noMap.stdout.trim().split('\n').map((l) => JSON.parse(l) as ResultLine);
    expect(partial).toHaveLength(812);
    const waiting = partial.filter((r) => r.needs_placeholders?.includes('__MAP__') === true && r.score === null);
    // Only a url_match that needs __MAP__ and no evaluator that already scored 0 leave a task waiting.
    const mapUrlOnly = count((t) => types(t) === 'url_match' && (t.eval.reference_url ?? '').includes('__MAP__'));
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.length).toBeGreaterThanOrEqual(mapUrlOnly);
    for (const r of waiting) {
      expect(r.evaluators.find((e) => e.name === 'url_match')).toMatchObject({ unscored: 'needs_placeholder', reason: '__MAP__ has no URL: pass --sites map=URL or set MAP' });
    }
    const summary = noMap.stderr.trim().split('\n').at(-1) ?? '';
    expect(summary).toMatch(new RegExp(`needs_placeholder ${waiting.length} \\(__MAP__ ${waiting.length}\\), unsupported 0, missing answers 0$`));
    // The string_match+url_match map tasks are scored: their empty answer already fails.
    for (const r of partial.filter((x) => x.needs_placeholders !== undefined && x.score !== null)) expect(r.score).toBe(0);
  }, 120_000);
});
