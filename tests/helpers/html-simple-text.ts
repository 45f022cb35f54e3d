import * as cheerio from 'cheerio';

const IGNORED = new Set(['style', 'script', 'head', 'title', 'meta']);

/** The few fields of cheerio's DOM nodes this walk reads. */
interface DomNode {
  type: string;
  name?: string;
  data?: string;
  parent?: DomNode | null;
  children?: DomNode[];
}

/**
 * WebShop's "simple" observation computed from raw HTML (no browser): every text node in order,
 * skipping those under style/script/head/title/meta and whitespace-only ones, trimmed, joined
 * with ' [SEP] '. Test-only: the browser-free reference the tests compare pages fetched over plain
 * HTTP with (the product extracts text in the browser, adapters/browser).
 */
export const simpleTextFromHtml = (html: string): string => {
  const $ = cheerio.load(html);
  const parts: string[] = [];
  const visit = (node: DomNode): void => {
    if (node.type === 'text') {
      const text = (node.data ?? '').trim();
      if (text && !IGNORED.has(node.parent?.name?.toLowerCase() ?? '')) parts.push(text);
      return;
    }
    for (const child of node.children ?? []) visit(child);
  };
  visit($.root()[0] as unknown as DomNode);
  return parts.join(' [SEP] ');
};
