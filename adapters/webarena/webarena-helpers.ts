import type { APIRequestContext, Page } from 'playwright-core';
import { pyStr } from '../../src/python/python-repr.js';
import { fromPlaywrightValue } from './evaluators/playwright-python-value.js';
import { redditPostUrl, stringArg, type HelperCall } from './evaluators/helper-call.js';
import type { LoginCredentials } from './webarena-login.js';

/** What the live helpers run against: the episode's sites, its logged-in context, a page. */
export interface HelperHost {
  readonly sites: Readonly<Record<string, string | undefined>>;
  /** The episode context's request client: it carries the context's cookies. */
  readonly request: APIRequestContext;
  /** The evaluation page, at the target's URL (for helpers that read the page). */
  readonly page: Page;
  /** The run's site credentials: the shop's REST API needs the admin account, as in WebArena. */
  readonly credentials: Readonly<Record<string, LoginCredentials>>;
  remainingMs(): number;
}

/** The helper cannot run here (a site or an account it needs is not configured). */
export class HelperUnsupported extends Error {}

const shopBase = (host: HelperHost, helper: string): string => {
  const base = host.sites['shopping'];
  if (base === undefined) throw new HelperUnsupported(`${helper} reads the shop's REST API: it needs the shopping site's URL (--sites shopping=URL or SHOPPING)`);
  return base.replace(/\/+$/, '');
};

/** WebArena's `shopping_get_auth_token`: an admin token from Magento's integration endpoint. */
const shopToken = async (host: HelperHost, base: string, helper: string): Promise<string> => {
  const account = host.credentials['shopping_admin'];
  if (account === undefined) {
    throw new HelperUnsupported(`${helper} needs the shop's admin account for a REST token, as in WebArena (--login shopping_admin=USER:PASSWORD)`);
  }
  const url = `${base}/rest/default/V1/integration/admin/token`;
  const response = await host.request.post(url, { data: { username: account.username, password: account.password }, timeout: host.remainingMs() });
  if (!response.ok()) throw new Error(`${helper}: ${url} answered HTTP ${response.status()}`);
  const token: unknown = await response.json();
  if (typeof token !== 'string') throw new Error(`${helper}: ${url} did not answer a token string`);
  return token;
};

const shopGet = async (host: HelperHost, helper: string, path: string, params?: Record<string, string>): Promise<unknown> => {
  const base = shopBase(host, helper);
  const token = await shopToken(host, base, helper);
  const url = `${base}${path}`;
  const response = await host.request.get(url, {
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    ...(params ? { params } : {}),
    timeout: host.remainingMs(),
  });
  // WebArena asserts a 200; a failed assert is an error here, not a crash.
  if (response.status() !== 200) throw new Error(`${helper}: ${url} answered HTTP ${response.status()}`);
  return response.json();
};

const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** The latest order (by created_at) → the storefront's order page, as WebArena builds it. */
const latestOrderUrl = async (host: HelperHost): Promise<string> => {
  const helper = 'shopping_get_latest_order_url';
  const body = record(
    await shopGet(host, helper, '/rest/V1/orders', {
      'searchCriteria[sortOrders][0][field]': 'created_at',
      'searchCriteria[sortOrders][0][direction]': 'DESC',
      'searchCriteria[pageSize]': '1',
    }),
  );
  const items = Array.isArray(body['items']) ? body['items'] : [];
  if (items.length === 0) throw new Error(`${helper}: the shop has no orders`);
  // WebArena puts int(increment_id) where Magento expects the entity id; on its data they agree.
  const increment = Number.parseInt(String(record(items[0])['increment_id'] ?? ''), 10);
  if (!Number.isFinite(increment)) throw new Error(`${helper}: the latest order has no numeric increment_id`);
  return `${shopBase(host, helper)}/sales/order/view/order_id/${increment}/`;
};

/** A product's reviews, oldest first as Magento lists them; the latest is the last. */
const reviews = async (host: HelperHost, helper: string, sku: string): Promise<Record<string, unknown>[]> => {
  const body = await shopGet(host, helper, `/rest/V1/products/${sku}/reviews`);
  if (!Array.isArray(body)) throw new Error(`${helper}: the reviews of ${sku} are not a list`);
  return body.map(record);
};

const firstRating = (review: Record<string, unknown> | undefined): Record<string, unknown> => {
  const ratings = review?.['ratings'];
  return Array.isArray(ratings) ? record(ratings[0]) : {};
};

const latestReviewRating = async (host: HelperHost, sku: string): Promise<string> => {
  const helper = 'shopping_get_sku_latest_review_rating';
  const list = await reviews(host, helper, sku);
  if (list.length === 0) return '';
  // WebArena asserts that the first rating of the first review is the one named "Rating".
  if (firstRating(list[0])['rating_name'] !== 'Rating') throw new Error(`${helper}: the first rating of ${sku}'s reviews is not named "Rating"`);
  return pyStr(fromPlaywrightValue(firstRating(list.at(-1))['percent']));
};

const latestReviewAuthor = async (host: HelperHost, sku: string): Promise<string> => {
  const list = await reviews(host, 'shopping_get_sku_latest_review_author', sku);
  return list.length === 0 ? '' : String(list.at(-1)?.['nickname'] ?? '');
};

/**
 * The member's max role on a GitLab project members page: the role cell in the row whose
 * account sub-label is `@account`; "" when there is none (WebArena catches every error).
 */
const projectMemberRole = async (page: Page, account: string): Promise<string> => {
  const script = `(() => {
    const accounts = [...document.querySelectorAll("td[data-label='Account'] span.gl-avatar-labeled-sublabel")];
    const index = accounts.findIndex((el) => el.outerText === ${JSON.stringify(`@${account}`)});
    const role = index < 0 ? undefined : document.querySelectorAll('td.col-max-role span')[index];
    return role === undefined ? '' : role.outerText;
  })()`;
  const role: unknown = await page.evaluate(script).catch(() => '');
  return typeof role === 'string' ? role : '';
};

/**
 * Runs one of WebArena's helpers with its semantics against the live site. Throws
 * HelperUnsupported when it cannot run here, any other error when the site's answer is wrong.
 */
export const runHelper = async (call: HelperCall, host: HelperHost): Promise<string> => {
  switch (call.name) {
    case 'reddit_get_post_url':
      return redditPostUrl(stringArg(call, 0), host.sites['reddit']);
    case 'shopping_get_latest_order_url':
      return latestOrderUrl(host);
    case 'shopping_get_sku_latest_review_rating':
      return latestReviewRating(host, stringArg(call, 0));
    case 'shopping_get_sku_latest_review_author':
      return latestReviewAuthor(host, stringArg(call, 0));
    case 'gitlab_get_project_memeber_role':
      return projectMemberRole(host.page, stringArg(call, 1));
  }
};
