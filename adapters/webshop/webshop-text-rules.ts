/**
 * WebShop's text observations as pure functions of a page's text nodes, so every transport (the
 * browser, a browserless HTTP reader) produces the same bytes. The rules are those of WebShop's
 * text environment, which parses pages with BeautifulSoup's html.parser:
 *  - a text node made only of ASCII whitespace becomes '\n' if it holds a newline, else ' '
 *    (BeautifulSoup's whitespace collapsing); NBSP is not ASCII whitespace and is kept as is;
 *  - nodes equal to '\n' are dropped, every other node counts, so a blank bullet (' ') is an
 *    empty segment in simple mode and a ' ' line in rich mode;
 *  - simple mode trims each node with Python's str.strip() and joins with ' [SEP] ';
 *  - rich mode keeps each node's raw text and marks buttons, option labels and product links.
 */

/** One text node in document order, with what the converters read of its parent element. */
export interface WebShopTextNode {
  text: string;
  /** Lower-case tag name of the parent element. */
  parent: string;
  /** The parent's `class` attribute, or null when it has none. */
  parentClass: string | null;
}

/** Parents whose text never counts (WebShop's `tag_visible`). */
export const IGNORED_PARENTS: readonly string[] = ['style', 'script', 'head', 'title', 'meta'];

const ASCII_SPACES = /^[ \n\t\f\r]+$/;

/** BeautifulSoup's collapse of a whitespace-only string ('\n' if it has a newline, else ' '). */
export const collapseWhitespace = (text: string): string => (ASCII_SPACES.test(text) ? (text.includes('\n') ? '\n' : ' ') : text);

// Python's str.isspace() set, which str.strip() removes (JS trim() differs: it strips U+FEFF but
// not U+001C–U+001F or U+0085).
export const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/** Python's `str.strip()` with no argument. */
export const pyStrip = (text: string): string => text.replace(PY_STRIP, '');

/** The nodes the text env reads: visible parents, whitespace collapsed, '\n' nodes dropped. */
export const visibleTexts = (nodes: readonly WebShopTextNode[]): WebShopTextNode[] =>
  nodes
    .filter((n) => n.text !== '' && !IGNORED_PARENTS.includes(n.parent))
    .map((n) => ({ ...n, text: collapseWhitespace(n.text) }))
    .filter((n) => n.text !== '\n');

/** WebShop's simple mode: `' [SEP] '.join(t.strip() for t in visible_texts if t != '\n')`. */
export const simpleText = (nodes: readonly WebShopTextNode[]): string =>
  visibleTexts(nodes)
    .map((n) => pyStrip(n.text))
    .join(' [SEP] ');

/** What the text env remembers within an episode and rich mode reads. */
export interface RichTextMemory {
  /**
   * The quoted part of the URL the text env holds: on an item page `json.dumps(options)` (its
   * keywords are joined with '+', unquoted); '' elsewhere (no option labels there). A label is
   * "clicked" when its raw text appears here in double quotes, as the text env tests its URL.
   */
  optionsJson: string;
  /** ASINs (upper case) of the products opened since the last reset or Back to Search. */
  clickedAsins: ReadonlySet<string>;
}

/** WebShop's rich mode (`convert_html_to_text(html, simple=False)`), node for node. */
export const richText = (nodes: readonly WebShopTextNode[], memory: RichTextMemory): string => {
  let observation = '';
  for (const { text: t, parent, parentClass } of visibleTexts(nodes)) {
    let processed: string;
    if (parent === 'button') processed = `[button] ${t} [button_]`;
    else if (parent === 'label') {
      if (memory.optionsJson.includes(`"${t}"`)) {
        processed = `  [clicked button] ${t} [clicked button_]`;
        // Prepended to everything so far: the last chosen option's line comes first.
        observation = `You have clicked ${t}.\n${observation}`;
      } else processed = `  [button] ${t} [button_]`;
    } else if (parentClass !== null && isOnlyClass(parentClass, 'product-link')) {
      processed = memory.clickedAsins.has(t) ? `\n[clicked button] ${t} [clicked button_]` : `\n[button] ${t} [button_]`;
    } else processed = t;
    observation += `${processed}\n`;
  }
  return observation;
};

/** BeautifulSoup splits `class` on whitespace; the text env compares the list to ['product-link']. */
const isOnlyClass = (classAttr: string, name: string): boolean => {
  const classes = classAttr.split(/[ \t\n\f\r]+/).filter((c) => c !== '');
  return classes.length === 1 && classes[0] === name;
};

/** Python's `json.dumps` of a flat str → str dict (ensure_ascii, ', ' and ': ' separators). */
export const pyJsonDumps = (pairs: ReadonlyArray<readonly [string, string]>): string =>
  `{${pairs.map(([k, v]) => `${pyJsonString(k)}: ${pyJsonString(v)}`).join(', ')}}`;

const JSON_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

const pyJsonString = (s: string): string => {
  let out = '"';
  for (let i = 0; i < s.length; i += 1) {
    const ch = s.charAt(i);
    const code = s.charCodeAt(i);
    const escape = JSON_ESCAPES[ch];
    if (escape !== undefined) out += escape;
    else if (code < 0x20 || code > 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
};

/** The text env's memory for one page: the options JSON of an item page, the opened ASINs. */
export const richMemoryFor = (
  pageType: string | undefined,
  itemOptions: ReadonlyArray<readonly [string, string]> | undefined,
  clickedAsins: ReadonlySet<string>,
): RichTextMemory => ({ optionsJson: pageType === 'item' ? pyJsonDumps(itemOptions ?? []) : '', clickedAsins });

/**
 * The opened-ASIN memory after a click (the text env's `session['asins']`): a product link on a
 * results page adds its ASIN, Back to Search empties it (the text env resets the session there).
 */
export const asinsAfterClick = (asins: ReadonlySet<string>, pageType: string | undefined, target: string): Set<string> => {
  if (target === 'back to search') return new Set();
  const next = new Set(asins);
  if (pageType === 'results' && !['next >', '< prev'].includes(target)) next.add(target.toUpperCase());
  return next;
};
