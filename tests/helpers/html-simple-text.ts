import * as cheerio from 'cheerio';
import { pyStrip } from '../../adapters/webshop/webshop-text-rules.js';

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
 * skipping those under style/script/head/title/meta and whitespace-only ones with a newline, Python-stripped, joined
 * with ' [SEP] '. Test-only: the browser-free reference the tests compare pages fetched over plain
 * HTTP with (the product extracts text in the browser, adapters/browser).
 */
export const simpleTextFromHtml = (html: string): string => {
  const $ = cheerio.load(html);
  const parts: string[] = [];
  const visit = (node: DomNode): void => {
    if (node.type === 'text') {
      const raw = node.data ?? '';
      // BeautifulSoup's collapse: ASCII-whitespace-only text is '\n' (dropped) or ' ' (an empty segment).
      const collapsed = /^[ \t\n\r\f]+$/.test(raw) ? (raw.includes('\n') ? '\n' : ' ') : raw;
      if (collapsed !== '' && collapsed !== '\n' && !IGNORED.has(node.parent?.name?.toLowerCase() ?? '')) parts.push(pyStrip(collapsed));
      return;
    }
    for (const child of node.children ?? []) visit(child);
  };
  visit($.root()[0] as unknown as DomNode);
  return parts.join(' [SEP] ');
};
