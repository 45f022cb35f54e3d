import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { urlMatch } from '../adapters/webarena/evaluators/url-match.js';
import { resolvePlaceholders } from '../adapters/webarena/webarena-sites.js';
import { parseWebArenaTasks } from '../adapters/webarena/webarena-task-config.js';
import { sharedFile } from './helpers/shared-data.js';

const SITES = {
  shopping: 'http://shop.test:7770',
  shopping_admin: 'http://shop.test:7780/admin',
  reddit: 'http://forum.test:9999',
  gitlab: 'http://git.test:8023',
  wikipedia: 'http://wiki.test:8888',
  map: 'http://map.test:3000',
};

describe("url_match normalised as WebArena's (a trailing / stripped from the whole URL only)", () => {
  it('task 45: the reference base keeps the "/" before its query, so the prediction must too', () => {
    const reference = 'http://git.test:8023/a11yproject/a11yproject.com/-/issues/?sort=created_asc&state=opened';
    expect(urlMatch(reference, 'http://git.test:8023/a11yproject/a11yproject.com/-/issues/?sort=created_asc&state=opened').score).toBe(1);
    expect(urlMatch(reference, 'http://git.test:8023/a11yproject/a11yproject.com/-/issues/?state=opened&sort=created_asc&page=1').score).toBe(1);
    // Without the slash the base "…/issues" does not contain "…/issues/": WebArena scores 0.
    expect(urlMatch(reference, 'http://git.test:8023/a11yproject/a11yproject.com/-/issues?sort=created_asc&state=opened')).toMatchObject({
      score: 0,
      details: { base_score: 0, prediction_base: 'git.test:8023/a11yproject/a11yproject.com/-/issues' },
    });
    // A prediction ending in "/" (no query) loses it to the whole-URL strip, and the query is missing anyway.
    expect(urlMatch(reference, 'http://git.test:8023/a11yproject/a11yproject.com/-/issues/').score).toBe(0);
    // Strict mode (ours) compares bases without their trailing slashes.
    expect(urlMatch(reference, 'http://git.test:8023/a11yproject/a11yproject.com/-/issues?sort=created_asc&state=opened', { strict: true }).score).toBe(1);
  });

  it('a reference ending in "/" with no query is stripped, and matches either form', () => {
    expect(urlMatch('http://forum.test:9999/f/books/', 'http://forum.test:9999/f/books').score).toBe(1);
    expect(urlMatch('http://forum.test:9999/f/books/', 'http://forum.test:9999/f/books/').score).toBe(1);
  });

  it('on the real configs: every "/?" reference scores 1 on itself and 0 without its slash, all 22 of them', (context) => {
    const file = sharedFile('webarena/test.raw.json');
    if (!file) return context.skip();
    const tasks = parseWebArenaTasks(JSON.parse(readFileSync(file, 'utf8')) as unknown, file).filter((t) => t.eval.eval_types.includes('url_match'));
    const shaped: number[] = [];
    for (const task of tasks) {
      const reference = resolvePlaceholders(task.eval.reference_url ?? '', SITES);
      for (const alternative of reference.split(' |OR| ')) {
        expect(urlMatch(reference, alternative).score, `task ${task.task_id} on its own reference ${alternative}`).toBe(1);
        const stripped = alternative.replace(/\/+$/, '');
        if (!/\/\?/.test(stripped)) continue;
        shaped.push(task.task_id);
        const result = urlMatch(reference, stripped.replace('/?', '?'));
        expect(result.details['base_score'], `task ${task.task_id}`).toBe(0);
      }
    }
    expect(shaped).toHaveLength(22);
    expect(shaped).toContain(45);
  });
});
