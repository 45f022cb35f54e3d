/**
 * What reading one program_html target on the live site gave: the value to check, or why it
 * could not be read. Plain values are accepted wherever a reading is (a value read without
 * trouble); a reading says more.
 */
export class ProgramHtmlReading {
  constructor(
    /** The locator's value (the page's HTML, a JS expression's result, a helper's string). */
    readonly value: unknown,
    readonly notes: {
      /** The target cannot be evaluated here (an unknown helper, a helper without its site). */
      readonly unsupported?: string;
      /** Reading failed (a helper's request, a navigation): the target scores 0 with this reason. */
      readonly error?: string;
      /** A `prep_action` that threw (WebArena ignores it and stops running the rest). */
      readonly prepErrors?: readonly string[];
      /** The URL the target was read at, when a helper computed it. */
      readonly url?: string;
    } = {},
  ) {}
}

export const readingOf = (value: unknown): ProgramHtmlReading => (value instanceof ProgramHtmlReading ? value : new ProgramHtmlReading(value));
