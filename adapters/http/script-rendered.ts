import { attr, selectAll, selectOne, type HtmlDocument } from './html-document.js';

/**
 * Why a page looks rendered by its scripts rather than by its server, or undefined when it does
 * not: none of the elements the site's server renders (`markers`, a CSS selector) are there, and
 * the page has scripts (or a <noscript> notice) that would put them there in a browser.
 */
export const scriptRenderedReason = (doc: HtmlDocument, markers: string): string | undefined => {
  if (selectOne(doc, markers) !== undefined) return undefined;
  const scripts = selectAll(doc, 'script');
  const noscript = selectAll(doc, 'noscript');
  if (scripts.length === 0 && noscript.length === 0) return undefined;
  const sources = scripts.map((s) => attr(s, 'src')).filter((src): src is string => Boolean(src));
  const named = sources.length > 0 ? ` (${sources.slice(0, 3).join(', ')}${sources.length > 3 ? ', …' : ''})` : '';
  return `${doc.url} has none of ${markers} in its HTML but ${scripts.length} <script> element${scripts.length === 1 ? '' : 's'}${named}${noscript.length > 0 ? ' and a <noscript> notice' : ''}: it renders in the browser; use --transport browser`;
};
