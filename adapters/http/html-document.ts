import { compile, selectAll as cssSelectAll, selectOne as cssSelectOne, type Options } from 'css-select';
import { parse, type DefaultTreeAdapterMap } from 'parse5';

/** A node of parse5's own tree (the HTML standard's parser, its default tree). */
export type HtmlNode = DefaultTreeAdapterMap['node'];
/** An element of that tree: its `tagName`, `attrs`, `childNodes` and `parentNode`. */
export type HtmlElement = DefaultTreeAdapterMap['element'];

/** A page fetched over HTTP and parsed as a browser parses it. */
export interface HtmlDocument {
  root: DefaultTreeAdapterMap['document'];
  /** The document's URL (`location.href`): the last URL of the navigation, redirects followed. */
  url: string;
  /** Where relative links and form actions resolve (`document.baseURI`: `<base href>` or the URL). */
  baseUrl: string;
}

export const isElement = (node: HtmlNode): node is HtmlElement => 'tagName' in node;

/** `el.getAttribute(name)`: the attribute's value by its qualified name, undefined when absent. */
export const attr = (node: HtmlNode, name: string): string | undefined => {
  if (!isElement(node)) return undefined;
  for (const a of node.attrs) if ((a.prefix ? `${a.prefix}:${a.name}` : a.name) === name) return a.value;
  return undefined;
};

/** The element's tag name, lower-cased (`localName` for HTML elements); '' for other nodes. */
export const tagOf = (node: HtmlNode): string => (isElement(node) ? node.tagName.toLowerCase() : '');

/** The node's children (a template's children are in its content, as in the DOM: not here). */
export const childrenOf = (node: HtmlNode): HtmlNode[] => ('childNodes' in node ? node.childNodes : []);

/** The node's parent element, undefined at the top (the document is not an element). */
export const parentElementOf = (node: HtmlNode): HtmlElement | undefined => {
  const parent = 'parentNode' in node ? node.parentNode : null;
  return parent && isElement(parent) ? parent : undefined;
};

/** `el.textContent`: every descendant text node, concatenated (script text too, as in the DOM). */
export const textContent = (node: HtmlNode): string => {
  if (node.nodeName === '#text') return (node as DefaultTreeAdapterMap['textNode']).value;
  let out = '';
  for (const child of childrenOf(node)) if (child.nodeName !== '#comment' && child.nodeName !== '#documentType') out += textContent(child);
  return out;
};

/** Depth-first, document order, elements only: css-select's traversal, and ours. */
const findElements = (test: (el: HtmlElement) => boolean, nodes: HtmlNode[], firstOnly: boolean): HtmlElement[] => {
  const out: HtmlElement[] = [];
  const stack: HtmlNode[] = [...nodes].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!isElement(node)) continue;
    if (test(node)) {
      out.push(node);
      if (firstOnly) return out;
    }
    for (let i = node.childNodes.length - 1; i >= 0; i -= 1) stack.push(node.childNodes[i]!);
  }
  return out;
};

const parentOf = (node: HtmlNode): DefaultTreeAdapterMap['parentNode'] | null => ('parentNode' in node ? node.parentNode : null);

const hasAncestorIn = (node: HtmlNode, set: ReadonlySet<HtmlNode>): boolean => {
  for (let at = parentOf(node); at; at = parentOf(at)) if (set.has(at)) return true;
  return false;
};

/**
 * css-select over parse5's tree as it is. Why not cheerio: its trees are domhandler's, and
 * copying parse5's tree into one cost as much as parsing the page (half an http step's client time).
 */
const parse5Adapter: NonNullable<Options<HtmlNode, HtmlElement>['adapter']> = {
  isTag: isElement,
  existsOne: (test, elems) => findElements(test, elems, true).length > 0,
  getAttributeValue: attr,
  getChildren: childrenOf,
  getName: (el) => el.tagName,
  getParent: (el) => el.parentNode,
  getSiblings: (node) => parentOf(node)?.childNodes ?? [node],
  prevElementSibling: (node) => {
    const siblings: HtmlNode[] = parentOf(node)?.childNodes ?? [];
    for (let i = siblings.indexOf(node) - 1; i >= 0; i -= 1) {
      const sibling = siblings[i]!;
      if (isElement(sibling)) return sibling;
    }
    return null;
  },
  getText: textContent,
  hasAttrib: (el, name) => attr(el, name) !== undefined,
  removeSubsets: (nodes) => {
    const set = new Set(nodes);
    return [...set].filter((node) => !hasAncestorIn(node, set));
  },
  findAll: (test, nodes) => findElements(test, nodes, false),
  findOne: (test, nodes) => findElements(test, nodes, true)[0] ?? null,
};

const SELECT_OPTIONS: Options<HtmlNode, HtmlElement> = { adapter: parse5Adapter };
const compiled = new Map<string, ReturnType<typeof compile<HtmlNode, HtmlElement>>>();

/** The selector compiled once per process: the transport asks the same few on every page. */
const query = (selector: string) => {
  let found = compiled.get(selector);
  if (!found) {
    found = compile<HtmlNode, HtmlElement>(selector, SELECT_OPTIONS);
    compiled.set(selector, found);
  }
  return found;
};

/** The elements a selector matches below `scope` (the document by default), in document order (`querySelectorAll`). */
export const selectAll = (doc: HtmlDocument, selector: string, scope: HtmlNode = doc.root): HtmlElement[] => cssSelectAll(query(selector), scope, SELECT_OPTIONS);

/** The first element a selector matches below `scope` (`querySelector`). */
export const selectOne = (doc: HtmlDocument, selector: string, scope: HtmlNode = doc.root): HtmlElement | undefined => cssSelectOne(query(selector), scope, SELECT_OPTIONS) ?? undefined;

/** Parses as a browser parses: parse5's default tree is the HTML standard's. */
export const parseHtmlDocument = (html: string, url: string): HtmlDocument => {
  const doc: HtmlDocument = { root: parse(html), url, baseUrl: url };
  const base = selectOne(doc, 'base[href]');
  const href = base && attr(base, 'href');
  if (href !== undefined) {
    try {
      doc.baseUrl = new URL(href, url).href;
    } catch {
      // An unparsable <base href> is ignored, as browsers ignore it.
    }
  }
  return doc;
};

/** Every text node in document order with its parent element (a browser TreeWalker over SHOW_TEXT). */
export const textNodes = (doc: HtmlDocument): Array<{ text: string; parent: HtmlElement | undefined }> => {
  const out: Array<{ text: string; parent: HtmlElement | undefined }> = [];
  const visit = (node: HtmlNode, parent: HtmlElement | undefined): void => {
    if (node.nodeName === '#text') {
      out.push({ text: (node as DefaultTreeAdapterMap['textNode']).value, parent });
      return;
    }
    const element = isElement(node) ? node : undefined;
    for (const child of childrenOf(node)) visit(child, element);
  };
  visit(doc.root, undefined);
  return out;
};
