import type { Observation } from '../../src/protocol/index.js';
import type { WebShopPageSnapshot } from './webshop-page-snapshot.js';
import { parseWebShopUrl, webShopPageType } from './webshop-profile.js';
import { richMemoryFor, richText } from './webshop-text-rules.js';

/** What an observation depends on besides the page: the mode and the episode's memory. */
export interface WebShopObservationContext {
  rich: boolean;
  /** The episode's instruction, for pages that do not show it. */
  instruction: string;
  /** Products opened this episode (text_rich marks them). */
  clickedAsins: ReadonlySet<string>;
}

/**
 * A page snapshot as the observation both transports return (the browser's page script or the
 * http path's HTML reading): one rule, so the two cannot drift apart.
 */
export const webShopObservationOf = (snapshot: WebShopPageSnapshot, context: WebShopObservationContext): Observation => {
  const urlInfo = parseWebShopUrl(snapshot.url);
  const pageType = urlInfo?.type ?? webShopPageType(snapshot.text);
  const text = context.rich ? richText(snapshot.nodes, richMemoryFor(pageType, urlInfo?.options, context.clickedAsins)) : snapshot.text;
  return {
    text,
    instruction: snapshot.instruction ?? context.instruction,
    url: snapshot.url,
    ...(pageType === undefined ? {} : { page_type: pageType }),
    available_actions: { has_search_bar: snapshot.hasSearchBar, clickables: snapshot.clickables },
    source: 'real',
  };
};
