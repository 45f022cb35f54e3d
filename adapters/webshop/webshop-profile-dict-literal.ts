import { parsePythonLiteral, PythonLiteralError } from '../../src/python/python-literal.js';

/**
 * Reads the one Python literal WebShop puts in item URLs: `str(options)`, a flat dict of
 * str → str such as `{'color': 'black', 'size': '8'}`, as the site's `literal_eval` reads it
 * (quotes, escapes, a repeated key keeping its first place and its last value). Anything else
 * (nesting, numbers, names, malformed text) is undefined: the profile never evaluates URL text.
 */
export const parseOptionsLiteral = (text: string): Array<[string, string]> | undefined => {
  let value;
  try {
    value = parsePythonLiteral(text);
  } catch (error) {
    // Not a literal at all: the URL simply carries no readable options.
    if (error instanceof PythonLiteralError) return undefined;
    throw error;
  }
  if (!(value instanceof Map)) return undefined;
  const pairs: Array<[string, string]> = [];
  for (const [k, v] of value) {
    if (typeof k !== 'string' || typeof v !== 'string') return undefined;
    pairs.push([k, v]);
  }
  return pairs;
};
