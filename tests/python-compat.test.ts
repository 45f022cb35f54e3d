import { describe, expect, it } from 'vitest';
import { parsePythonLiteral, PythonLiteralError } from '../src/python/python-literal.js';
import { pyLessThan } from '../src/python/python-order.js';
import { pyPformat } from '../src/python/python-pformat.js';
import { isPyPrintable } from '../src/python/python-printable.js';
import { pyFloatRepr, pyRepr, pyStr, pyStrRepr } from '../src/python/python-repr.js';
import { pyTuple } from '../src/python/python-value.js';

// Expected texts are CPython 3.10.13's output (unicodedata 13.0.0).
describe('src/python: Python 3.10 printable table', () => {
  it('escapes characters assigned after Unicode 13 and keeps those of Unicode 13', () => {
    // U+1FAE0 MELTING FACE (Unicode 14), U+1FAE8 SHAKING FACE (15), U+0870 ARABIC LETTER ALEF WITH
    // ATTACHED FATHA (14): unassigned in Python 3.10, so escaped.
    expect(pyStrRepr('\u{1FAE0}')).toBe("'\\U0001fae0'");
    expect(pyStrRepr('\u{1FAE8}')).toBe("'\\U0001fae8'");
    expect(pyStrRepr('\u0870')).toBe("'\\u0870'");
    // U+1FAD0 BLUEBERRIES and U+08BE ARABIC LETTER PEH WITH SMALL V (both Unicode 13) stay as they are.
    expect(pyStrRepr('\u{1FAD0}')).toBe("'\u{1FAD0}'");
    expect(pyStrRepr('\u08be')).toBe("'\u08be'");
    expect(isPyPrintable('\u{1FAE0}')).toBe(false);
    expect(isPyPrintable('\u{1FAD0}')).toBe(true);
  });

  it('follows str.isprintable() for ASCII, separators, format and private-use characters', () => {
    expect(isPyPrintable(' ')).toBe(true);
    expect(isPyPrintable('a')).toBe(true);
    for (const ch of ['\x7f', '\x85', '\xa0', '\u200b', '\ue604', '\u2028', '\ud800']) expect(isPyPrintable(ch), ch).toBe(false);
    expect(pyStrRepr('\xa0\u200b\ue604')).toBe("'\\xa0\\u200b\\ue604'");
    expect(pyStrRepr('\x7f\x85')).toBe("'\\x7f\\x85'");
    expect(pyStrRepr('\ud800')).toBe("'\\ud800'");
  });
});

describe('src/python: repr and str', () => {
  it('quotes strings as Python does', () => {
    expect(pyStrRepr('plain text')).toBe("'plain text'");
    expect(pyStrRepr("it's")).toBe(`"it's"`);
    expect(pyStrRepr(`it's "x"`)).toBe(`'it\\'s "x"'`);
    expect(pyStrRepr('a\\b\tc\nd\re')).toBe(`'a\\\\b\\tc\\nd\\re'`);
  });

  it('prints floats with the shortest round-trip digits', () => {
    expect([1e16, 0.0001, -1.5e-7, 123, -0, Number.NaN, -Infinity].map(pyFloatRepr)).toEqual([
      '1e+16', '0.0001', '-1.5e-07', '123.0', '-0.0', 'nan', '-inf',
    ]);
  });

  it('prints containers, keeping int and float apart', () => {
    const value = [1n, 2, 'a', null, true, pyTuple(1n), new Map<string | bigint, unknown>([['k', pyTuple()], [2n, []]])];
    expect(pyRepr(value as never)).toBe("[1, 2.0, 'a', None, True, (1,), {'k': (), 2: []}]");
    expect(pyStr(["it's", 'say "hi"'])).toBe(`["it's", 'say "hi"']`);
    expect(pyStr('bare')).toBe('bare');
  });

  it('round-trips through the literal parser', () => {
    const text = "{'size': 'x-large', 'color': \"men's\", 'n': [1, 2.5, (None,)]}";
    expect(pyRepr(parsePythonLiteral(text))).toBe(text);
    expect(() => parsePythonLiteral("__import__('os')")).toThrow(PythonLiteralError);
  });

  it('orders and pretty-prints as pprint does', () => {
    expect(pyLessThan(1n, 1.5)).toBe(true);
    expect(pyLessThan('a', 1n)).toBeUndefined();
    expect(pyPformat(new Map([['b', 1n], ['a', 2n]]))).toBe("{'a': 2, 'b': 1}");
  });
});
