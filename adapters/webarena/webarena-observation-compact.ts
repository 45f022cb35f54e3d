import type { AxLine } from './ax-line.js';

export interface CompactViewOptions {
  /** Lines in all, the URL line and the `… N more lines` marker included. Default: 60. */
  maxLines?: number;
  /** Characters in all, newlines included. Default: 4000. */
  maxChars?: number;
}

export const DEFAULT_COMPACT_MAX_LINES = 60;
export const DEFAULT_COMPACT_MAX_CHARS = 4000;
/** Longer names are cut (with `…`): one paragraph must not eat the budget of a whole page. */
const MAX_NAME_CHARS = 160;

/**
 * A node's name on one line. A field's value keeps its line breaks, written `\n` as in the
 * tree (a text area's paragraphs are what an agent edits); other names collapse whitespace.
 */
const oneLine = (node: AxLine): string =>
  node.fieldValue ? node.name.replace(/\r\n?/g, '\n').replace(/[^\S\n]+/g, ' ').trim().replace(/\n/g, '\\n') : node.name.replace(/\s+/g, ' ').trim();

const compactLine = (node: AxLine): string => {
  const flat = oneLine(node);
  const name = flat.length > MAX_NAME_CHARS ? `${flat.slice(0, MAX_NAME_CHARS - 1)}…` : flat;
  // `required: False`, `selected: False` … say nothing worth their tokens; `checked: false` does (a tristate).
  const state = node.props.flatMap(([key, value]) => (value === 'False' ? [] : [`${key}: ${value}`])).join(', ');
  return `[${node.id}] ${node.role}: ${name}${state ? ` (${state})` : ''}`;
};

/**
 * DreamGym's abstract WebArena state: the URL, then `[ID] ROLE: NAME (state)` for the nodes an
 * agent can act on or read (actionable or named), in document order. Over budget, actionable
 * nodes are kept first, then text in document order, and a final `… N more lines` says how many
 * were left out.
 */
export const renderCompactView = (nodes: readonly AxLine[], url: string, options: CompactViewOptions = {}): string => {
  const maxLines = Math.max(2, options.maxLines ?? DEFAULT_COMPACT_MAX_LINES);
  const maxChars = options.maxChars ?? DEFAULT_COMPACT_MAX_CHARS;
  const header = `URL: ${url}`;
  const entries = nodes.flatMap((node, index) =>
    node.role !== 'RootWebArea' && (node.actionable || node.name.trim() !== '') ? [{ index, actionable: node.actionable, line: compactLine(node) }] : [],
  );
  const fullChars = entries.reduce((sum, e) => sum + e.line.length + 1, header.length);
  if (entries.length + 1 <= maxLines && fullChars <= maxChars) return [header, ...entries.map((e) => e.line)].join('\n');

  // Leave room for the marker (its count has at most as many digits as the number of entries).
  let linesLeft = maxLines - 2;
  let charsLeft = maxChars - header.length - `\n… ${entries.length} more lines`.length;
  const chosen = new Set<number>();
  const byPriority = [...entries].sort((a, b) => Number(b.actionable) - Number(a.actionable) || a.index - b.index);
  for (const entry of byPriority) {
    if (linesLeft <= 0) break;
    const cost = entry.line.length + 1;
    if (cost > charsLeft) continue;
    chosen.add(entry.index);
    linesLeft -= 1;
    charsLeft -= cost;
  }
  const shown = entries.filter((e) => chosen.has(e.index));
  return [header, ...shown.map((e) => e.line), `… ${entries.length - shown.length} more lines`].join('\n');
};
