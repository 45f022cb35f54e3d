import type { AxLine } from './ax-line.js';
import { pyStrRepr } from '../../src/python/python-repr.js';

/** How many previously kept lines a StaticText is compared with (WebArena: `clean_lines[-3:]`). */
const WINDOW = 3;

/**
 * WebArena's `clean_accesibility_tree`: a StaticText line is dropped when its text (the quoted name
 * without its quotes, escapes included) is empty or occurs in one of the 3 previously kept lines,
 * indentation and ids included — e.g. the text of a link right under its `link 'name'` line.
 * Only StaticText lines are dropped, so no line loses its parent.
 *
 * One deviation: a field's value line is always kept. WebArena's substring test would drop a
 * typed `3` under `[153] spinbutton 'Qty'` (the id contains it), hiding what the agent typed.
 */
export const dropRepeatedStaticText = (lines: readonly AxLine[]): AxLine[] => {
  const kept: AxLine[] = [];
  const rendered: string[] = [];
  for (const line of lines) {
    if (line.role === 'StaticText' && !line.fieldValue) {
      const text = pyStrRepr(line.name).slice(1, -1);
      const recent = rendered.slice(-WINDOW);
      if (!text || recent.some((previous) => previous.includes(text))) continue;
    }
    kept.push(line);
    rendered.push(`${'\t'.repeat(line.depth)}${line.text}`);
  }
  return kept;
};
