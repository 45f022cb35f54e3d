import * as cheerio from 'cheerio';
import type { CheerioAPI } from 'cheerio';
import { Comment, Document, Element, ProcessingInstruction, Text, type ChildNode, type ParentNode } from 'domhandler';
import { parse, type DefaultTreeAdapterMap } from 'parse5';

type Parse5Node = DefaultTreeAdapterMap['node'];

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

/** The DOM tree's node of a parse5 node (domhandler's, which cheerio and css-select read). */
const domNodeOf = (node: Parse5Node): ChildNode | Document => {
  switch (node.nodeName) {
    case '#text':
      return new Text((node as DefaultTreeAdapterMap['textNode']).value);
    case '#comment':
      return new Comment((node as DefaultTreeAdapterMap['commentNode']).data);
    case '#documentType':
      return new ProcessingInstruction('!doctype', `!DOCTYPE ${(node as DefaultTreeAdapterMap['documentType']).name}`);
    case '#document':
    case '#document-fragment':
      return new Document([]);
    default: {
      const element = node as DefaultTreeAdapterMap['element'];
      const attribs: Record<string, string> = {};
      for (const a of element.attrs) attribs[a.prefix ? `${a.prefix}:${a.name}` : a.name] = a.value;
      const out = new Element(element.tagName, attribs, []);
      out.namespace = element.namespaceURI;
      return out;
    }
  }
};

/** Copies parse5's tree into domhandler nodes, with parent and sibling links (iterative: deep pages). */
const domTreeOf = (root: Parse5Node): Document => {
  const top = domNodeOf(root) as Document;
  const stack: Array<[Parse5Node, ParentNode]> = [[root, top]];
  while (stack.length > 0) {
    const [source, target] = stack.pop()!;
    const kids = source.nodeName === 'template' ? (source as DefaultTreeAdapterMap['template']).content.childNodes : 'childNodes' in source ? source.childNodes : [];
    let prev: ChildNode | null = null;
    for (const kid of kids) {
      const node = domNodeOf(kid) as ChildNode;
      node.parent = target;
      node.prev = prev;
      if (prev) prev.next = node;
      target.children.push(node);
      prev = node;
      if ('childNodes' in kid) stack.push([kid, node as ParentNode]);
    }
  }
  return top;
};

/**
 * Parses as a browser parses (parse5's default tree is the HTML standard's) and hands the tree to
 * cheerio as domhandler nodes. Why not `cheerio.load(html)`: its parse5-to-htmlparser2 tree
 * adapter made parsing about 2.5× slower than parse5 itself, the largest cost of an http step.
 */
export const parseHtmlDocument = (html: string, url: string): HtmlDocument => {
  const $ = cheerio.load(domTreeOf(parse(html)));
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

