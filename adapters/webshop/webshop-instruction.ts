import { contentWords, words } from '../../src/text/words.js';

/** A WebShop goal instruction split into its parts. */
export interface WebShopInstruction {
  /** The instruction without the price phrase and the option clauses. */
  goal: string;
  /** The options the goal names (`name: value`), in order, lower-cased. */
  options: Array<{ name: string; value: string }>;
  /** The budget of `and price lower than P dollars`, when present. */
  priceUpper?: number;
}

const PRICE = /,?\s*and price lower than\s+\$?([\d,]+(?:\.\d+)?)\s*dollars\.?\s*$/i;
const OPTION = /^([^:,]+?):\s*(.+?)\s*$/;

/** The `name: value` pairs of an option part (`color: black, and size: 8`), or undefined when it is not one. */
const parseOptionPart = (part: string): WebShopInstruction['options'] | undefined => {
  const options: WebShopInstruction['options'] = [];
  for (const segment of part.split(/,\s*and\s+/i)) {
    const match = OPTION.exec(segment.trim());
    const name = match?.[1]?.trim();
    const value = match?.[2]?.trim();
    if (!name || !value || / with /i.test(` ${name} `)) return undefined;
    options.push({ name: name.toLowerCase(), value: value.toLowerCase() });
  }
  return options.length > 0 ? options : undefined;
};

/**
 * Splits a WebShop instruction as goals are built (`{instruction} with k1: v1, and k2: v2, and
 * price lower than P dollars`). The instruction itself may contain " with ", so the option part
 * is the last " with " tail made only of `name: value` pairs.
 */
export const parseWebShopInstruction = (instruction: string): WebShopInstruction => {
  let rest = instruction.trim();
  let priceUpper: number | undefined;
  const price = PRICE.exec(rest);
  if (price?.[1] !== undefined) {
    priceUpper = Number(price[1].replaceAll(',', ''));
    rest = rest.slice(0, price.index).trim();
  }
  let options: WebShopInstruction['options'] = [];
  const lower = rest.toLowerCase();
  for (let at = lower.lastIndexOf(' with '); at >= 0; at = at === 0 ? -1 : lower.lastIndexOf(' with ', at - 1)) {
    const parsed = parseOptionPart(rest.slice(at + ' with '.length));
    if (parsed) {
      options = parsed;
      rest = rest.slice(0, at).trim();
      break;
    }
  }
  return priceUpper === undefined ? { goal: rest, options } : { goal: rest, options, priceUpper };
};

/** The search keywords of an instruction: its goal part (no price, no options) as content words. */
export const searchKeywords = (instruction: string): string[] => {
  const keywords = contentWords(parseWebShopInstruction(instruction).goal);
  return keywords.length > 0 ? keywords : words(instruction);
};

/** A crude singular form, so "extensions" and "extension" count as the same word. */
const stem = (word: string): string => (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word);

/** How many distinct content words two texts share (plural-insensitive). */
export const wordOverlap = (a: string, b: string): number => {
  const left = new Set(contentWords(a).map(stem));
  let shared = 0;
  for (const word of new Set(contentWords(b).map(stem))) if (left.has(word)) shared += 1;
  return shared;
};
