import type { CDPSession, Page } from 'playwright-core';

/**
 * What a WebShop page may load. A text observation needs the site's own documents and, for the
 * site's behaviour, its own scripts, styles and XHR; it never needs images, fonts or media, nor
 * anything from another origin. The real pages reference CDN scripts and styles in their head,
 * which an offline deployment cannot reach: a parser-blocking script from an unreachable origin
 * would hold every navigation until the browser gives up, so such requests are refused at once.
 */

/**
 * Installs the policy on a page (before its first navigation), in the browser's own network stack
 * (CDP `Network.setBlockedURLs`, first matching pattern wins): the site's origin passes, every other
 * URL is refused at once. Intercepting requests in Playwright (`page.route`) would cost a round trip
 * to Node per request, about 40 % of a step; this costs none. Images are not loaded anyway (the
 * launch disables them). With `allowExternal` nothing is installed, so the page loads everything
 * as a normal browser would (and pays for it).
 */
export const applyResourcePolicy = async (page: Page, baseUrl: string, allowExternal: boolean): Promise<CDPSession | undefined> => {
  if (allowExternal) return undefined;
  const siteOrigin = new URL(baseUrl).origin;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  // `urlPatterns` (URLPattern syntax, with an allow entry first) is newer than the typed protocol.
  await cdp.send('Network.setBlockedURLs', { urls: [], urlPatterns: [{ urlPattern: `${siteOrigin}/*`, block: false }, { urlPattern: '*://*:*/*', block: true }] } as never);
  return cdp;
};
