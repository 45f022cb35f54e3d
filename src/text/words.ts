import { stopWords } from './stop-words.js';

/** Lower-cased words of a text with punctuation removed (apostrophes dropped, other marks split words). */
export const words = (text: string): string[] =>
  text
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .split(' ')
    .filter((word) => word.length > 0);

/** Words of a text without stop words, in order, each once. */
export const contentWords = (text: string): string[] => [...new Set(words(text).filter((word) => !stopWords.has(word)))];
