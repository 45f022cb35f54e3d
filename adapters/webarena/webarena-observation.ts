import type { Page } from 'playwright-core';
import { renderAxTree, type AxLine } from './ax-line.js';
import { snapshotAxPage } from './ax-frames.js';
import { dropRepeatedStaticText } from './ax-static-text-dedupe.js';

export type { AxLine } from './ax-line.js';
export { resolveElement } from './ax-resolve.js';
export { renderCompactView, type CompactViewOptions } from './webarena-observation-compact.js';

export interface WebArenaTab {
  title: string;
  current: boolean;
}

export interface ObserveWebArenaOptions {
  /** The episode's tabs in order, for the header. Empty: the page alone, as tab 0. */
  tabs: readonly WebArenaTab[];
  /**
   * Ids of documents observed for the first time start after this. Pass the last observation's
   * `maxId` so that ids stay unique across the documents of an episode. Default: 0.
   */
  idBase?: number;
}

export interface WebArenaObservation {
  /** WebArena's format: the tab header line, a blank line, then the tree. */
  text: string;
  url: string;
  title: string;
  /** Ids of the elements an agent can act on (the profile's actionable roles), in document order. */
  ids: string[];
  /** The tree's lines as printed. */
  nodes: AxLine[];
  /** Highest id handed out so far in the observed documents. */
  maxId: number;
}

/** WebArena's header: every tab on one line, joined by ` | ` (`Tab 0 (current): A | Tab 1: B`). */
export const renderTabHeader = (tabs: readonly WebArenaTab[]): string =>
  tabs.map((tab, i) => (tab.current ? `Tab ${i} (current): ${tab.title}` : `Tab ${i}: ${tab.title}`)).join(' | ');

/**
 * The page as WebArena's accessibility-tree observation, from one DOM walk per frame (no CDP):
 * roles, names and properties as Chrome's tree gives them, WebArena's pruning and StaticText
 * cleaning, and ids that stay the same for an element as long as it lives in its document.
 *
 * A field's value shows as a StaticText line under the field, as in Chrome's tree (whose text
 * editor holds it) and so in WebArena's traces: `[12] textbox 'Qty' required: False` then
 * `[13] StaticText '2'`; the field's name stays its label (or placeholder). Passwords show bullets.
 * A select's choice shows as `selected: True` on its options (menuitems under the combobox).
 */
export const observeWebArenaPage = async (page: Page, options: ObserveWebArenaOptions): Promise<WebArenaObservation> => {
  const snapshot = await snapshotAxPage(page, options.idBase ?? 0);
  const nodes = dropRepeatedStaticText(snapshot.lines);
  const tabs = options.tabs.length > 0 ? options.tabs : [{ title: snapshot.title, current: true }];
  return {
    text: `${renderTabHeader(tabs)}\n\n${renderAxTree(nodes)}`,
    url: snapshot.url,
    title: snapshot.title,
    ids: nodes.filter((n) => n.actionable).map((n) => n.id),
    nodes,
    maxId: snapshot.maxId,
  };
};
