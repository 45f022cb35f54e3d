/**
 * A tiny reader for the one Python literal WebShop puts in item URLs: a flat dict of str → str,
 * `str(options)` such as `{'color': 'black', 'size': '8'}`. Python's repr quotes with ' unless the
 * text holds ' and no ", then with "; both are read, with Python's string escapes. Anything else
 * (nesting, numbers, names) is refused with undefined: the profile never evaluates URL text, and
 * the fixture's full `literal_eval` stand-in may not be imported here (profiles import no fixture).
 */

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  r: '\r',
  t: '\t',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
  '\n': '',
};

const HEX_ESCAPES: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    while (/\s/.test(this.text[this.pos] ?? '')) this.pos += 1;
  }

  /** Consumes `char` after optional spaces; false (nothing consumed but spaces) when absent. */
  eat(char: string): boolean {
    this.skipSpace();
    if (this.text[this.pos] !== char) return false;
    this.pos += 1;
    return true;
  }

  /** A quoted Python string, or undefined when there is none or it is malformed. */
  string(): string | undefined {
    this.skipSpace();
    const quote = this.text[this.pos];
    if (quote !== "'" && quote !== '"') return undefined;
    this.pos += 1;
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n') return undefined;
      this.pos += 1;
      if (c === quote) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[this.pos];
      if (e === undefined) return undefined;
      this.pos += 1;
      const simple = SIMPLE_ESCAPES[e];
      const width = HEX_ESCAPES[e];
      if (simple !== undefined) out += simple;
      else if (width !== undefined) {
        const hex = this.text.slice(this.pos, this.pos + width);
        if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) return undefined;
        const code = Number.parseInt(hex, 16);
        if (code > 0x10ffff) return undefined;
        out += String.fromCodePoint(code);
        this.pos += width;
      } else out += `\\${e}`; // Python keeps unknown escapes as written.
    }
  }
}

/** Parses a flat `{'k': 'v', …}` dict literal into its pairs in order, or undefined if it is not one. */
export const parseOptionsLiteral = (text: string): Array<[string, string]> | undefined => {
  const reader = new Reader(text);
  if (!reader.eat('{')) return undefined;
  const pairs: Array<[string, string]> = [];
  while (!reader.eat('}')) {
    const key = reader.string();
    if (key === undefined || !reader.eat(':')) return undefined;
    const value = reader.string();
    if (value === undefined) return undefined;
    // A repeated key keeps its first place and takes the last value, as in a Python dict.
    const existing = pairs.find(([k]) => k === key);
    if (existing) existing[1] = value;
    else pairs.push([key, value]);
    if (!reader.eat(',')) {
      if (!reader.eat('}')) return undefined;
      break;
    }
  }
  reader.skipSpace();
  return reader.pos === text.length ? pairs : undefined;
};
