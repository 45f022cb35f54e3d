import type { Page, Request, Route } from 'playwright-core';

/**
 * What a WebShop page may load. A text observation needs the site's own documents and, for the
 * site's behaviour, its own scripts, styles and XHR; it never needs images, fonts or media, nor
 * anything from another origin. The real pages reference CDN scripts and styles in their head,
 * which an offline deployment cannot reach: a parser-blocking script from an unreachable origin
 * would hold every navigation until the browser gives up, so such requests are refused at once.
 */
export type ResourceVerdict = 'continue' | 'abort';

const NEVER_NEEDED = new Set(['image', 'media', 'font']);

/** Pure rule: same origin and a type the observation can need → continue; anything else → abort. */
export const resourceVerdict = (requestUrl: string, siteOrigin: string, resourceType: string): ResourceVerdict => {
  let origin: string;
  try {
    origin = new URL(requestUrl).origin;
  } catch {
    return 'abort';
  }
  return origin === siteOrigin && !NEVER_NEEDED.has(resourceType) ? 'continue' : 'abort';
};

/**
 * Installs the policy on a page (before its first navigation). With `allowExternal` nothing is
 * installed, so the page loads everything as a normal browser would (and pays for it).
 */
export const applyResourcePolicy = async (page: Page, baseUrl: string, allowExternal: boolean): Promise<void> => {
  if (allowExternal) return;
  const siteOrigin = new URL(baseUrl).origin;
  await page.route('**/*', (route: Route, request: Request) =>
    resourceVerdict(request.url(), siteOrigin, request.resourceType()) === 'continue' ? route.continue() : route.abort('blockedbyclient'),
  );
};
