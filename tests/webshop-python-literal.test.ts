import { describe, it, expect } from 'vitest';
import { flaskToJson } from '../fixtures/webshop/flask-tojson.js';
import {
  PYTHON_LITERAL_MAX_DEPTH,
  PYTHON_LITERAL_MAX_LENGTH,
  PythonLiteralError,
  parsePythonLiteral,
} from '../src/python/python-literal.js';
import { pyPformat } from '../src/python/python-pformat.js';
import { pyFloatRepr, pyRepr, pyStr } from '../src/python/python-repr.js';
import { PyTuple, pyEquals, pyTuple, type PyValue } from '../src/python/python-value.js';
import { quotePathSegment } from '../fixtures/webshop/url-quote.js';

// Expected strings below were produced by CPython 3.10 (repr, pprint.pformat, json.dumps,
// ast.literal_eval) so the TypeScript ports are held to the real output.

const dict = (...entries: Array<[string | bigint | number | boolean | null | PyTuple, PyValue]>): Map<
  string | bigint | number | boolean | null | PyTuple,
  PyValue
> => new Map(entries);

const parseError = (text: string): PythonLiteralError => {
  try {
    parsePythonLiteral(text);
  } catch (error) {
    if (error instanceof PythonLiteralError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
};

const rewardInfo = dict(
  ['r_type', 1.0],
  ['r_att', 0.5],
  ['w_att', 0.3333333333333333],
  ['query_match', true],
  ['category_match', false],
  ['title_score', 0.25],
  ['r_option', 1.0],
  ['w_option', 0.3333333333333333],
  ['r_price', true],
  ['w_price', 0.3333333333333333],
);

describe('parsePythonLiteral', () => {
  const roundTrips: PyValue[] = [
    'plain',
    '',
    "it's",
    'say "hi"',
    'both \' and "',
    'tab\tnewline\ncr\r nul\0 esc\x1b del\x7f',
    'back\\slash',
    'é 日本 😀 \u200b \xa0',
    0n,
    -7n,
    123456789012345678901234567890n,
    1.0,
    -0.5,
    0.1,
    1e-5,
    1e16,
    1e300,
    true,
    false,
    null,
    [],
    ['red', 'shoes'],
    [1n, 2.5, [true, null], []],
    pyTuple(),
    pyTuple('only'),
    pyTuple(1n, 'two', pyTuple(3.0)),
    dict(),
    dict(['size', '8'], ['color', 'black']),
    dict([1n, 'int'], [2.5, 'float'], [null, 'none'], [pyTuple(1n, 'a'), [dict(['deep', pyTuple()])]]),
    rewardInfo,
  ];

  it.each(roundTrips.map((v) => [pyRepr(v), v] as const))('round-trips %s', (text, value) => {
    const parsed = parsePythonLiteral(text);
    expect(parsed).toStrictEqual(value);
    expect(pyRepr(parsed)).toBe(text); // also pins dict order and int/float distinctions
  });

  it('reads the literals WebShop puts in its URLs', () => {
    expect(parsePythonLiteral(decodeURIComponent('%5B%27teen%27%2C%20%27girl%27%5D'))).toStrictEqual(['teen', 'girl']);
    expect(parsePythonLiteral(decodeURIComponent('%7B%27size%27:%20%278%27%7D'))).toStrictEqual(new Map([['size', '8']]));
    expect(parsePythonLiteral(decodeURIComponent('%7B%7D'))).toStrictEqual(new Map());
    expect(
      parsePythonLiteral(decodeURIComponent('%5B%27living%27%2C%20%27room%27%2C%20%27furniture%27%5D')),
    ).toStrictEqual(['living', 'room', 'furniture']);
    expect(parsePythonLiteral(`{'color': 'black', 'size': '8'}`)).toStrictEqual(
      new Map([['color', 'black'], ['size', '8']]),
    );
  });

  it('accepts the rest of what ast.literal_eval does for these types', () => {
    expect(parsePythonLiteral(`"a" 'b' '''c''' r'\\d' u'e'`)).toBe('abc\\de');
    expect(parsePythonLiteral(`'\\x41\\u00e9\\U0001F600\\101\\n\\t\\\\\\'\\q'`)).toBe("Aé😀A\n\t\\'\\q");
    expect(parsePythonLiteral("'''one\r\ntwo'''")).toBe('one\ntwo');
    expect(parsePythonLiteral("b'\\xff'")).toBe('\xff');
    expect(parsePythonLiteral('[1_000, 0x1F, 0o17, 0b101, -3, + 4, -(5)]')).toStrictEqual([1000n, 31n, 15n, 5n, -3n, 4n, -5n]);
    expect(parsePythonLiteral('[1.5, .5, 5., 1e3, 1E-3, -2.5e+2, 1_0.0_1, 1e400]')).toStrictEqual([
      1.5, 0.5, 5, 1000, 0.001, -250, 10.01, Infinity,
    ]);
    expect(parsePythonLiteral('(1)')).toBe(1n);
    expect(parsePythonLiteral('(1,)')).toStrictEqual(pyTuple(1n));
    expect(parsePythonLiteral('1, 2,')).toStrictEqual(pyTuple(1n, 2n));
    expect(parsePythonLiteral("  [\n  'a',  # first\n  'b',\n]  # done\n\n")).toStrictEqual(['a', 'b']);
    expect(parsePythonLiteral("{'a': 1,}")).toStrictEqual(new Map([['a', 1n]]));
  });

  it('folds equal keys as a Python dict does (first key kept, last value wins)', () => {
    const parsed = parsePythonLiteral("{1: 'a', True: 'b', 1.0: 'c', 'x': 0}");
    expect(pyRepr(parsed)).toBe("{1: 'c', 'x': 0}");
    expect(pyEquals(parsed, new Map<string | bigint, PyValue>([['x', 0n], [1n, 'c']]))).toBe(true);
  });

  it('rejects malformed input with a position and what was expected', () => {
    const cases: Array<[string, number, string]> = [
      ["['a', ", 6, `expected a value or ']' but found end of input at position 6 in "['a', "`],
      ["{'a' 1}", 5, `expected ':' but found number 1 at position 5 in "{'a' 1}"`],
      ["__import__('os')", 0, `expected a value but found name '__import__' at position 0 in "__import__('os')"`],
      ['[1,,2]', 3, `expected a value or ']' but found ',' at position 3 in "[1,,2]"`],
      ["'unterminated", 0, `unterminated string literal at position 0 in "'unterminated"`],
      ["['a' 'b]", 5, `unterminated string literal at position 5 in "['a' 'b]"`],
      ["['a' 1]", 5, `expected ',' or ']' but found number 1 at position 5 in "['a' 1]"`],
    ];
    for (const [text, position, message] of cases) {
      const error = parseError(text);
      expect(error.code).toBe('PYTHON_LITERAL_INVALID');
      expect(error.position).toBe(position);
      expect(error.message).toBe(message);
    }
  });

  it.each([
    ['', 'expected a value but found end of input'],
    ['{1, 2}', 'sets are not supported'],
    ['set()', "name 'set'"],
    ['1j', 'complex numbers are not supported'],
    ["f'x'", 'f-string'],
    ['--1', 'expected a number after the sign'],
    ['-True', 'expected a number after the sign'],
    ['007', 'leading zeros'],
    ['1__0', 'invalid number literal'],
    ['0b102', 'invalid number literal'],
    ['[1] [2]', 'expected end of input'],
    ["'a'\n'b'", 'expected end of input but found a new line'],
    ['\n  [1]', 'unexpected indent'],
    ["'a\nb'", 'unterminated string literal'],
    ["'a' b'b'", 'cannot mix bytes and nonbytes literals'],
    ["{[1]: 2}", "unhashable type: 'list'"],
    ["'\\x4'", 'truncated \\xXX escape'],
    ["'\\U00110000'", 'illegal Unicode character'],
    ["'a\0'", 'null characters'],
    ['(1, 2)[0]', "expected end of input but found '['"],
    ['1 + 2', "expected end of input but found '+'"],
    ['...', 'Ellipsis is not supported'],
    ['9'.repeat(4301), 'more than 4300 digits'],
  ])('rejects %j', (text, fragment) => {
    expect(parseError(text).message).toContain(fragment);
  });

  it('caps input length and nesting depth', () => {
    const long = parseError(' '.repeat(PYTHON_LITERAL_MAX_LENGTH + 1));
    expect(long.message).toContain(`input longer than ${PYTHON_LITERAL_MAX_LENGTH} characters`);
    const nested = '['.repeat(PYTHON_LITERAL_MAX_DEPTH) + ']'.repeat(PYTHON_LITERAL_MAX_DEPTH);
    expect(pyRepr(parsePythonLiteral(nested))).toBe(nested);
    const deep = parseError('['.repeat(PYTHON_LITERAL_MAX_DEPTH + 1) + ']'.repeat(PYTHON_LITERAL_MAX_DEPTH + 1));
    expect(deep.position).toBe(PYTHON_LITERAL_MAX_DEPTH);
    expect(deep.message).toContain(`nesting deeper than ${PYTHON_LITERAL_MAX_DEPTH} levels`);
    // A long hostile input is answered quickly and the message quotes only a window of it.
    const hostile = parseError('['.repeat(PYTHON_LITERAL_MAX_LENGTH));
    expect(hostile.message.length).toBeLessThan(300);
  });
});

describe('pyRepr / pyStr', () => {
  it.each([
    ['plain', "'plain'"],
    ["it's", `"it's"`],
    ['say "hi"', `'say "hi"'`],
    [`both ' and "`, `'both \\' and "'`],
    ['tab\tnl\ncr\r\x00\x7f\x1b', "'tab\\tnl\\ncr\\r\\x00\\x7f\\x1b'"],
    ['back\\slash', "'back\\\\slash'"],
    ['é 日本 😀 \u200b \xa0 \ud800', "'é 日本 😀 \\u200b \\xa0 \\ud800'"],
    // Assigned after Unicode 13 (Python 3.10's tables), so Python 3.10 escapes it.
    ['\u{1FAE0}', "'\\U0001fae0'"],
  ])('repr(%j) is %s', (value, expected) => {
    expect(pyRepr(value)).toBe(expected);
  });

  it('prints containers and scalars like Python', () => {
    expect(pyRepr([1n, 1.0, true, false, null])).toBe('[1, 1.0, True, False, None]');
    expect(pyRepr(pyTuple())).toBe('()');
    expect(pyRepr(pyTuple('a'))).toBe("('a',)");
    expect(pyRepr(pyTuple('a', 2n))).toBe("('a', 2)");
    expect(pyRepr(dict(['b', 1n], ['a', [pyTuple(2.5)]]))).toBe("{'b': 1, 'a': [(2.5,)]}");
    expect(pyStr('no quotes')).toBe('no quotes');
    expect(pyStr(['a'])).toBe("['a']");
    expect(pyStr(3n)).toBe('3');
    const selfList: PyValue[] = [1n];
    selfList.push(selfList);
    expect(pyRepr(selfList)).toBe('[1, [...]]');
  });

  it.each([
    [1, '1.0'],
    [0.1, '0.1'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [1e15, '1000000000000000.0'],
    [9999999999999998, '9999999999999998.0'],
    [1e16, '1e+16'],
    [Number('123456789012345678'), '1.2345678901234568e+17'],
    [1e22, '1e+22'],
    [2.5e-7, '2.5e-07'],
    [1 / 3, '0.3333333333333333'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [-0, '-0.0'],
    [0, '0.0'],
    [-2.5, '-2.5'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
  ])('pyFloatRepr(%d) is %s', (n, expected) => {
    expect(pyFloatRepr(n)).toBe(expected);
  });
});

describe('pyPformat', () => {
  it('keeps a dict that fits on one line, with sorted keys', () => {
    expect(pyPformat(dict(['size', '8'], ['color', 'black']))).toBe("{'color': 'black', 'size': '8'}");
    expect(pyPformat(['red', 'shoes'])).toBe("['red', 'shoes']");
  });

  it('puts one key per line, sorted, when the dict does not fit (WebShop reward_info)', () => {
    expect(pyPformat(rewardInfo)).toBe(
      [
        "{'category_match': False,",
        " 'query_match': True,",
        " 'r_att': 0.5,",
        " 'r_option': 1.0,",
        " 'r_price': True,",
        " 'r_type': 1.0,",
        " 'title_score': 0.25,",
        " 'w_att': 0.3333333333333333,",
        " 'w_option': 0.3333333333333333,",
        " 'w_price': 0.3333333333333333}",
      ].join('\n'),
    );
  });

  it('splits a long string value at whitespace into adjacent literals', () => {
    const goal = dict(
      ['asin', 'B09QKP7XQL'],
      [
        'instruction_text',
        "i'm looking for a pair of women's sneakers that are machine washable, and price lower than 50.00 dollars",
      ],
      ['attributes', ['machine washable', 'rubber sole']],
      ['price_upper', 50.0],
      ['goal_options', dict(['size', '8'], ['color', 'black'])],
      ['weight', 1n],
    );
    expect(pyPformat(goal)).toBe(
      [
        "{'asin': 'B09QKP7XQL',",
        " 'attributes': ['machine washable', 'rubber sole'],",
        " 'goal_options': {'color': 'black', 'size': '8'},",
        ` 'instruction_text': "i'm looking for a pair of women's sneakers that are "`,
        "                     'machine washable, and price lower than 50.00 dollars',",
        " 'price_upper': 50.0,",
        " 'weight': 1}",
      ].join('\n'),
    );
  });

  it('parenthesises a long top-level string and breaks lists and tuples per item', () => {
    expect(pyPformat('word '.repeat(30))).toBe(
      `('${'word '.repeat(15)}'\n '${'word '.repeat(15)}')`,
    );
    expect(pyPformat(['x'.repeat(50), pyTuple('y'.repeat(30)), 'z'])).toBe(
      `['${'x'.repeat(50)}',\n ('${'y'.repeat(30)}',),\n 'z']`,
    );
    expect(pyPformat(dict(['b', 1n], ['a', 2n], [10n, 'ten'], [2n, 'two']), 20)).toBe(
      "{2: 'two',\n 10: 'ten',\n 'a': 2,\n 'b': 1}",
    );
  });
});

describe('flaskToJson', () => {
  it('sorts keys, uses Python separators and float repr, escapes non-ASCII and HTML', () => {
    const value = dict(
      ['b', [1.0, 2n, pyTuple(3n, 'x')]],
      ['a', "<i>Tom & Jerry's</i> café 😀\n"],
      ['c', null],
      ['d', true],
      ['e', Infinity],
    );
    expect(flaskToJson(value)).toBe(
      '{"a": "\\u003ci\\u003eTom \\u0026 Jerry\\u0027s\\u003c/i\\u003e caf\\u00e9 \\ud83d\\ude00\\n", ' +
        '"b": [1.0, 2, [3, "x"]], "c": null, "d": true, "e": Infinity}',
    );
  });

  it('sorts numeric keys numerically before turning them into strings', () => {
    expect(flaskToJson(dict([10n, 'ten'], [2n, 'two'], [2.5, 'x']))).toBe('{"2": "two", "2.5": "x", "10": "ten"}');
    expect(flaskToJson(dict(['size', '8'], ['color', 'black']))).toBe('{"color": "black", "size": "8"}');
    expect(flaskToJson(dict())).toBe('{}');
  });

  it('raises where json.dumps raises', () => {
    expect(() => flaskToJson(dict(['a', 1n], [1n, 'a']))).toThrow(TypeError);
    expect(() => flaskToJson(dict([pyTuple(1n), 'a']))).toThrow(/keys must be str, int, float, bool or None/);
  });
});

describe('quotePathSegment', () => {
  it('quotes like werkzeug url_quote, keeping ":" and escaping "/"', () => {
    expect(quotePathSegment("['living', 'room', 'furniture']")).toBe(
      '%5B%27living%27%2C%20%27room%27%2C%20%27furniture%27%5D',
    );
    expect(quotePathSegment("{'size': '8'}")).toBe('%7B%27size%27:%20%278%27%7D');
    expect(quotePathSegment('{}')).toBe('%7B%7D');
    expect(quotePathSegment('AZaz09-._~')).toBe('AZaz09-._~');
    expect(quotePathSegment("['a/b', 'café+50%']")).toBe('%5B%27a%2Fb%27%2C%20%27caf%C3%A9%2B50%25%27%5D');
    expect(quotePathSegment('😀')).toBe('%F0%9F%98%80');
    expect(() => quotePathSegment('\ud800')).toThrow(TypeError);
  });

  it('round-trips through decodeURIComponent and the literal parser', () => {
    const keywords = ['teen', 'girl', "it's", 'a/b'];
    const segment = quotePathSegment(pyRepr(keywords));
    expect(parsePythonLiteral(decodeURIComponent(segment))).toStrictEqual(keywords);
  });
});
