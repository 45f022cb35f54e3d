import * as cheerio from 'cheerio';
import type { CheerioAPI } from 'cheerio';

/**
 * The fields of a parsed node this transport reads (cheerio's nodes, from domhandler). Elements
 * have a `name` (script and style elements too, whose `type` differs); text nodes have `data`.
 */
export interface HtmlNode {
  type: string;
  name?: string;
  data?: string;
  attribs?: Record<string, string>;
  parent?: HtmlNode | null;
  children?: HtmlNode[];
}

/** A page fetched over HTTP and parsed as a browser parses it (parse5: the HTML standard's parser). */
export interface HtmlDocument {
  $: CheerioAPI;
  /** The document's URL (`location.href`): the last URL of the navigation, redirects followed. */
  url: string;
  /** Where relative links and form actions resolve (`document.baseURI`: `<base href>` or the URL). */
  baseUrl: string;
}

export const parseHtmlDocument = (html: string, url: string): HtmlDocument => {
  const $ = cheerio.load(html);
  const base = $('base[href]').first().attr('href');
  let baseUrl = url;
  if (base !== undefined) {
    try {
      baseUrl = new URL(base, url).href;
    } catch {
      // An unparsable <base href> is ignored, as browsers ignore it.
    }
  }
  return { $, url, baseUrl };
};

/** The elements a selector matches, in document order (`querySelectorAll`). */
export const selectAll = (doc: HtmlDocument, selector: string): HtmlNode[] => doc.$(selector).toArray() as unknown as HtmlNode[];

/** `el.textContent`: every descendant text node, concatenated (script text too, as in the DOM). */
export const textContent = (node: HtmlNode): string => {
  if (node.type === 'text' || node.type === 'cdata') return node.data ?? (node.children ?? []).map(textContent).join('');
  if (node.type === 'comment' || node.type === 'directive') return '';
  return (node.children ?? []).map(textContent).join('');
};

/** Every text node in document order with its parent (a browser TreeWalker over SHOW_TEXT). */
export const textNodes = (doc: HtmlDocument): Array<{ text: string; parent: HtmlNode | undefined }> => {
  const out: Array<{ text: string; parent: HtmlNode | undefined }> = [];
  const visit = (node: HtmlNode): void => {
    if (node.type === 'text') {
      out.push({ text: node.data ?? '', parent: node.parent?.name === undefined ? undefined : node.parent });
      return;
    }
    for (const child of node.children ?? []) visit(child);
  };
  visit(doc.$.root()[0] as unknown as HtmlNode);
  return out;
};

