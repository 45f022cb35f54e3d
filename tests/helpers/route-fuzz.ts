import seedrandom from 'seedrandom';

/** Fragments that stress a Python-literal parser and Express's path decoding. */
const FRAGMENTS = [
  '[', ']', '{', '}', '(', ')', "'", '"', ',', ':', ' ', '\\', '\\x', '\\u12', '%', '%2', '%ZZ', '%00', '%2F',
  'True', 'None', '__import__', 'os', '1e309', '-', '0x', '1_0', "'''", 'r\'', 'b\'', '\u00e9', '\ud83d\ude00', '#', '?', '..',
];

/** Deterministic random path segments: half literal-like garbage, half random printable bytes. */
export const fuzzSegment = (random: () => number): string => {
  if (random() < 0.5) {
    let s = '';
    const n = 1 + Math.floor(random() * 8);
    for (let i = 0; i < n; i += 1) s += FRAGMENTS[Math.floor(random() * FRAGMENTS.length)];
    return encodeURIComponent(s).replace(/%25/g, random() < 0.3 ? '%' : '%25');
  }
  let s = '';
  const n = Math.floor(random() * 12);
  for (let i = 0; i < n; i += 1) s += String.fromCharCode(33 + Math.floor(random() * 94));
  return encodeURIComponent(s);
};

/** A random request path over the site's routes with fuzzed segments. */
export const fuzzPath = (random: () => number, asin: string): string => {
  const seg = () => fuzzSegment(random);
  const sid = random() < 0.7 ? 'fixed_1' : seg();
  const keep = (valid: string) => (random() < 0.5 ? valid : seg());
  switch (Math.floor(random() * 5)) {
    case 0:
      return `/${sid}`;
    case 1:
      return `/search_results/${sid}/${keep('%5B%27shoes%27%5D')}/${keep('1')}`;
    case 2:
      return `/item_page/${sid}/${keep(asin)}/${seg()}/${keep('1')}/${keep('%7B%7D')}`;
    case 3:
      return `/item_sub_page/${sid}/${keep(asin)}/${seg()}/${keep('1')}/${keep('Features')}/${keep('%7B%7D')}`;
    default:
      return `/done/${sid}/${keep(asin)}/${keep('%7B%7D')}`;
  }
};

export const fuzzRandom = (seed: string): (() => number) => seedrandom(seed);
