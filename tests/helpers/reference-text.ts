import { parse } from 'parse5';

/**
 * An independent implementation of WebShop's text-env converters over raw HTML (parse5's tree,
 * not the browser and not the adapter's rules), written from `convert_html_to_text` and
 * BeautifulSoup's html.parser behaviour: text nodes in order, parents style/script/head/title/meta
 * and comments skipped; an ASCII-whitespace-only node becomes '\n' (has a newline: skipped) or ' '
 * (kept, so an empty segment in simple mode).
 */
interface P5Attr {
  name: string;
  value: string;
}
interface P5Node {
  nodeName: string;
  value?: string;
  parentNode?: P5Node | null;
  tagName?: string;
  attrs?: P5Attr[];
  childNodes?: P5Node[];
  content?: P5Node;
}

const IGNORED = ['style', 'script', 'head', 'title', 'meta'];

interface TextWithParent {
  t: string;
  parent: P5Node | undefined;
}

const visibleTexts = (html: string): TextWithParent[] => {
  const out: TextWithParent[] = [];
  const walk = (node: P5Node): void => {
    if (node.nodeName === '#text') {
      const parent = node.parentNode ?? undefined;
      let t = node.value ?? '';
      if (/^[ \t\n\r\f]+$/.test(t)) t = t.includes('\n') ? '\n' : ' ';
      if (t !== '' && t !== '\n' && !IGNORED.includes(parent?.tagName ?? '')) out.push({ t, parent });
      return;
    }
    if (node.nodeName === '#comment') return;
    for (const child of node.childNodes ?? []) walk(child);
  };
  walk(parse(html) as unknown as P5Node);
  return out;
};

/** Python's str.strip(): Unicode whitespace as str.isspace() defines it (not U+FEFF). */
const pythonStrip = (s: string): string => {
  const isSpace = (ch: string) => (/\s/u.test(ch) && ch !== '\ufeff') || (ch >= '\u001c' && ch <= '\u001f') || ch === '\u0085';
  let a = 0;
  let b = s.length;
  while (a < b && isSpace(s.charAt(a))) a += 1;
  while (b > a && isSpace(s.charAt(b - 1))) b -= 1;
  return s.slice(a, b);
};

export const referenceSimpleText = (html: string): string =>
  visibleTexts(html)
    .map(({ t }) => pythonStrip(t))
    .join(' [SEP] ');

/** Rich mode; `url` is the URL the text env holds (item pages: options as JSON), `asins` its set. */
export const referenceRichText = (html: string, url: string, asins: ReadonlySet<string>): string => {
  let observation = '';
  for (const { t, parent } of visibleTexts(html)) {
    let processed: string;
    const classAttr = parent?.attrs?.find((a) => a.name === 'class')?.value;
    if (parent?.tagName === 'button') processed = `[button] ${t} [button_]`;
    else if (parent?.tagName === 'label') {
      if (url.includes(`"${t}"`)) {
        processed = `  [clicked button] ${t} [clicked button_]`;
        observation = `You have clicked ${t}.\n` + observation;
      } else processed = `  [button] ${t} [button_]`;
    } else if (classAttr !== undefined && JSON.stringify(classAttr.trim().split(/\s+/)) === '["product-link"]') {
      processed = asins.has(t) ? `\n[clicked button] ${t} [clicked button_]` : `\n[button] ${t} [button_]`;
    } else processed = t;
    observation += processed + '\n';
  }
  return observation;
};
