import { parse } from 'parse5';

/**
 * An independent implementation of WebShop's simple observation over raw HTML (parse5's tree, not
 * the browser and not the product's cheerio walk): text nodes in order, parents style/script/head/
 * title/meta skipped, comments skipped, whitespace-only skipped, trimmed, joined with ' [SEP] '.
 */
interface P5Node {
  nodeName: string;
  value?: string;
  parentNode?: P5Node | null;
  tagName?: string;
  childNodes?: P5Node[];
  content?: P5Node;
}

const IGNORED = ['style', 'script', 'head', 'title', 'meta'];

export const referenceSimpleText = (html: string): string => {
  const out: string[] = [];
  const walk = (node: P5Node): void => {
    if (node.nodeName === '#text') {
      const parent = node.parentNode?.tagName ?? '';
      const text = (node.value ?? '').trim();
      if (text.length > 0 && !IGNORED.includes(parent)) out.push(text);
      return;
    }
    if (node.nodeName === '#comment') return;
    for (const child of node.childNodes ?? []) walk(child);
  };
  walk(parse(html) as unknown as P5Node);
  return out.join(' [SEP] ');
};
