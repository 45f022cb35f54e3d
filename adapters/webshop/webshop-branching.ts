import type { SiteBranching } from '../../src/env/site-definition.js';
import { parseWebShopUrl } from './webshop-profile-url.js';

/**
 * WebShop's branching rules. Restore: the real site needs every episode to start at `/<sid>`, and a
 * session's goal belongs to its id (a `fixed_N` id, or the goal the site drew for a human's
 * session), so the recorded session id is opened again. Alternatives as Early Experience takes
 * them on WebShop: other searches on the search page, other clicks on results pages.
 */
export const webShopBranching: SiteBranching = {
  restoreTask: (task, first) => {
    const sid = first.url === undefined ? undefined : parseWebShopUrl(first.url)?.sid;
    return sid === undefined ? task : { ...task, instruction: task.instruction ?? first.instruction, config: { ...task.config, session_id: sid } };
  },
  alternativeKinds: (state) => (state.page_type === 'search' ? ['search'] : state.page_type === 'results' ? ['click'] : undefined),
};
