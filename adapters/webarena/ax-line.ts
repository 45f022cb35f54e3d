import { pyStrRepr } from '../../src/python/python-repr.js';

/** One line of the WebArena accessibility-tree text, as observed. */
export interface AxLine {
  /** Stable within a document; frame content carries its frame prefix (`f12.3`). */
  id: string;
  role: string;
  name: string;
  /** Tab indentation: depth among the lines kept (pruned ancestors do not count). */
  depth: number;
  /** WebArena properties in order, values as printed (`['focused', 'True']`, `['checked', 'true']`). */
  props: ReadonlyArray<readonly [string, string]>;
  /** An agent can act on it (its role is one of the profile's actionable roles). */
  actionable: boolean;
  /** The StaticText showing the value of the field on the line above. */
  fieldValue: boolean;
  /** The rendered line without its indentation: `[id] role 'name' prop: value …`. */
  text: string;
}

/**
 * WebArena's structural roles: with an empty name and no properties the node is dropped and its
 * children lifted (a nameless `listitem` is dropped even with properties, as WebArena does).
 */
export const STRUCTURAL_ROLES: readonly string[] = [
  'generic', 'img', 'list', 'strong', 'paragraph', 'banner', 'navigation', 'Section', 'LabelText', 'Legend', 'listitem',
];

/** Properties WebArena never prints; the page script does not produce them. */
export const IGNORED_PROPERTIES: readonly string[] = ['focusable', 'editable', 'readonly', 'level', 'settable', 'multiline', 'invalid'];

/** `[id] role 'name'` then ` prop: value` pairs, exactly as WebArena's `parse_accessibility_tree` writes a node. */
export const renderAxLine = (id: string, role: string, name: string, props: ReadonlyArray<readonly [string, string]>): string => {
  let line = `[${id}] ${role} ${pyStrRepr(name)}`;
  for (const [key, value] of props) line += ` ${key}: ${value}`;
  return line;
};

/** The tree text: one line per node, tab-indented by depth. */
export const renderAxTree = (lines: readonly AxLine[]): string => lines.map((l) => `${'\t'.repeat(l.depth)}${l.text}`).join('\n');
