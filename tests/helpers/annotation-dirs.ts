// Annotation directories in the shape `dreambridge annotate` writes (its output contract), built
// from real run data so the export can be tested on its own.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Transition } from '../../src/protocol/index.js';

export interface AnnotationFixtureItem {
  transition: Transition;
  runDir: string;
  status: 'ok' | 'failed';
  annotation: string | null;
  /** Reflection only. */
  expertAction?: string;
}

export const writeAnnotationDir = (dir: string, kind: 'reasoning' | 'reflection', runDirs: readonly string[], items: readonly AnnotationFixtureItem[]): string => {
  mkdirSync(dir, { recursive: true });
  const sources = runDirs.map((d) => {
    const text = readFileSync(join(d, 'manifest.json'), 'utf8');
    return { run_dir: resolve(d), run_id: (JSON.parse(text) as { run_id: string }).run_id, manifest_sha256: createHash('sha256').update(text).digest('hex') };
  });
  const lines = items.map((item, i) => ({
    item_id: `${kind}-${i}`,
    kind,
    status: item.status,
    source: { run_dir: resolve(item.runDir), run_id: item.transition.run_id, episode_id: item.transition.episode_id, step: item.transition.step },
    annotation: item.annotation,
    raw: [item.annotation === null ? 'garbage' : `<${kind}>${item.annotation}</${kind}>`],
    attempts: item.status === 'ok' ? 1 : 3,
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, calls: 1 },
    ...(kind === 'reflection' ? { expert_action: item.expertAction ?? item.transition.action, state: item.transition.state.text } : {}),
  }));
  writeFileSync(join(dir, 'annotations.jsonl'), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  const ok = items.filter((i) => i.status === 'ok').length;
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      kind: 'annotations',
      annotation_kind: kind,
      teacher: { model: 'openai:scripted', base_url: 'http://127.0.0.1:1/v1' },
      prompt_hashes: { [`annotate-${kind}-system.md`]: 'a'.repeat(64) },
      sources,
      counts: { items: items.length, ok, failed: items.length - ok },
      usage: {},
      command_line: ['dreambridge', 'annotate', '--kind', kind],
      created_at: new Date().toISOString(),
      versions: {},
    }),
  );
  return dir;
};
