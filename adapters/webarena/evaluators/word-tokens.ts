// Two tokenisers for must_include's single-character rule (a reference "0" must be a whole token
// of the prediction, so that it does not match "10").

/**
 * Our tokens: maximal runs of letters and digits, keeping `.` and `,` between digits inside a
 * number ("$1,000.50" → "$", "1,000.50"), and every other non-space character on its own.
 */
export const answerTokens = (text: string): string[] =>
  text.match(/[\p{L}\p{M}\p{N}]*\p{N}(?:[.,]\p{N}+)+|[\p{L}\p{M}\p{N}]+|[^\s\p{L}\p{M}\p{N}]/gu) ?? [];

/**
 * An approximation of NLTK's `word_tokenize` (the Penn Treebank rules WebArena relies on):
 * punctuation and brackets split off, `$ % & # @ ;` on their own, commas and colons split unless
 * between digits, a final period split, contractions split. Periods inside tokens stay
 * ("0.00", "e.g"), which is what makes "$0.00" fail must_include "0" (webarena #211).
 */
export const nltkWordTokens = (text: string): string[] => {
  let t = text;
  // Starting quotes.
  t = t.replace(/^"/, '``').replace(/(``)/g, ' $1 ').replace(/([ ([{<])("|'{2})/g, '$1 `` ');
  // Punctuation.
  t = t.replace(/([:,])([^\d])/g, ' $1 $2').replace(/([:,])$/g, ' $1 ');
  t = t.replace(/\.\.\./g, ' ... ');
  t = t.replace(/[;@#$%&]/g, ' $& ');
  // A period ending a sentence (NLTK splits sentences first, then each one's last period);
  // approximated as a period before a space or the end.
  t = t.replace(/([^.])(\.)([\])}>"']*)(?=\s|$)/g, '$1 $2$3 ');
  t = t.replace(/[?!]/g, ' $& ');
  t = t.replace(/([^'])' /g, "$1 ' ");
  t = t.replace(/[\][(){}<>]/g, ' $& ');
  t = t.replace(/--/g, ' -- ');
  // Ending quotes and contractions.
  t = ` ${t} `;
  t = t.replace(/"/g, " '' ").replace(/(\S)('')/g, '$1 $2 ');
  t = t.replace(/([^' ])('[sSmMdD]|') /g, '$1 $2 ');
  t = t.replace(/([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) /g, '$1 $2 ');
  return t.split(/\s+/).filter((token) => token !== '');
};

const NUMBER = /^\d+(?:,\d{3})*(?:\.\d+)?$|^\d*\.\d+$/;

/** A token's numeric value ("1,000.50" → 1000.5), or undefined when it is not a plain number. */
export const tokenNumber = (token: string): number | undefined =>
  NUMBER.test(token) ? Number(token.replace(/,/g, '')) : undefined;
