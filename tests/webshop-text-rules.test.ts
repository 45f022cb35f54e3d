import { describe, expect, it } from 'vitest';
import { asinsAfterClick, pyJsonDumps, pyStrip, richText, simpleText, type WebShopTextNode } from '../adapters/webshop/webshop-text-rules.js';
import { referenceRichText, referenceSimpleText } from './helpers/reference-text.js';

const node = (text: string, parent = 'p', parentClass: string | null = null): WebShopTextNode => ({ text, parent, parentClass });

describe('WebShop text rules (shared by every transport)', () => {
  it('blank bullets stay empty segments; whitespace with a newline does not', () => {
    const nodes = [node('\n  '), node('Instruction:', 'h4'), node(' Natural'), node(' '), node(' \u00a0 '), node('\u00a0'), node('\n\t'), node(' Easy ')];
    expect(simpleText(nodes)).toBe('Instruction: [SEP] Natural [SEP]  [SEP]  [SEP]  [SEP] Easy');
  });

  it("features page with ' ' and NBSP bullets equals the independent reading of its HTML", () => {
    const html = `<html><head><title>x</title></head><body>
      <ul>
        <li><p class="product-info"> Natural looking</p></li>
        <li><p class="product-info"> </p></li>
        <li><p class="product-info"> &nbsp;</p></li>
        <li><p class="product-info"> Easy to apply</p></li>
      </ul></body></html>`;
    expect(referenceSimpleText(html)).toBe('Natural looking [SEP]  [SEP]  [SEP] Easy to apply');
  });

  it('Python strip, not JS trim', () => {
    expect(pyStrip('\u0085a\u001f')).toBe('a');
    expect(pyStrip('\ufeffa')).toBe('\ufeffa');
  });

  it('json.dumps as Python writes it', () => {
    expect(pyJsonDumps([['color', 'black'], ['size', 'x-large']])).toBe('{"color": "black", "size": "x-large"}');
    expect(pyJsonDumps([['a"b', 'café\u007f']])).toBe('{"a\\"b": "caf\\u00e9\u007f"}');
  });

  it('rich mode: raw text, "You have clicked" lines last-first, visited links marked', () => {
    const nodes = [
      node('Back to Search', 'button', 'btn btn-success'),
      node('color', 'h4'),
      node('black', 'label'),
      node('blue', 'label'),
      node('size', 'h4'),
      node('large', 'label'),
      node('B0ABCDEFGH', 'a', 'product-link'),
      node('B0ZZZZZZZZ', 'a', 'product-link extra'),
      node(' Natural'),
      node(' '),
    ];
    const memory = { optionsJson: pyJsonDumps([['color', 'blue'], ['size', 'large']]), clickedAsins: new Set(['B0ABCDEFGH']) };
    expect(richText(nodes, memory)).toBe(
      'You have clicked large.\nYou have clicked blue.\n[button] Back to Search [button_]\ncolor\n  [button] black [button_]\n' +
        '  [clicked button] blue [clicked button_]\nsize\n  [clicked button] large [clicked button_]\n' +
        '\n[clicked button] B0ABCDEFGH [clicked button_]\nB0ZZZZZZZZ\n Natural\n \n',
    );
  });

  it('rich mode over HTML matches the independent converter', () => {
    const html = `<html><body><div><button class="btn">Buy Now</button>
      <label for="r0">red</label><label for="r1">blue</label>
      <h4><a class="product-link" href="#">B012345678</a></h4><p>
        two lines
      </p></div></body></html>`;
    const nodes: WebShopTextNode[] = [
      node('Buy Now', 'button', 'btn'),
      node('red', 'label'),
      node('blue', 'label'),
      node('B012345678', 'a', 'product-link'),
      node('\n        two lines\n      '),
    ];
    const optionsJson = '{"color": "red"}';
    expect(richText(nodes, { optionsJson, clickedAsins: new Set() })).toBe(referenceRichText(html, optionsJson, new Set()));
  });

  it('session memory: product links add, Back to Search clears, page buttons do not', () => {
    let asins: ReadonlySet<string> = new Set();
    asins = asinsAfterClick(asins, 'results', 'b0abcdefgh');
    asins = asinsAfterClick(asins, 'results', 'next >');
    asins = asinsAfterClick(asins, 'item', 'description');
    expect([...asins]).toEqual(['B0ABCDEFGH']);
    expect(asinsAfterClick(asins, 'item', 'back to search').size).toBe(0);
  });
});
