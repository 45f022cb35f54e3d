/**
 * Option groups of an item page read back from the simple text.
 *
 * The ambiguity: between '< Prev' and the product title the text lists each option group's name
 * followed by its values ('color [SEP] blue [SEP] black | brown [SEP] size [SEP] 16 inch'), and
 * the simple text does not mark which segment is a name (an `h4` heading) and which a value (a
 * radio label). We resolve it with what is known about WebShop's data:
 *  1. option names come from a small set (Amazon variation dimensions, lower-cased by WebShop's
 *     loader): WEBSHOP_OPTION_NAMES below, plus the names a synthetic goal spells out in the
 *     instruction ('… with color: black, and size: 8 …');
 *  2. structure: the region starts with a name, every name is followed by at least one value,
 *     and a page never shows the same name twice (options are a dict).
 * So a segment is a name when it is the first one, or a known name that follows a value, is not
 * the last segment and was not used as a name before; everything else is a value.
 * What stays wrong: a group whose name is not in the list (its name is read as a value of the
 * group before), and a value that spells a known name right after another value (read as a
 * name). Both need a name outside, or a value inside, the list; neither occurs in our generator.
 */

/**
 * Lower-cased option group names: those of our generator (fixtures/webshop/catalog-vocabulary*.ts:
 * color, size, style, flavor name, scent, item package quantity) and those seen in the real
 * WebShop data (the same plus pattern name, style name, size name, color name, material type,
 * configuration, team name, fit type, special size type, number of items, capacity, material,
 * pattern, length, item shape, scent name, package quantity, unit count, edition, platform,
 * hardware platform). Kept here because a profile may not import fixtures.
 */
export const WEBSHOP_OPTION_NAMES: readonly string[] = [
  'color',
  'size',
  'style',
  'flavor name',
  'scent',
  'item package quantity',
  'pattern name',
  'style name',
  'size name',
  'color name',
  'material type',
  'configuration',
  'team name',
  'fit type',
  'special size type',
  'number of items',
  'capacity',
  'material',
  'pattern',
  'length',
  'item shape',
  'scent name',
  'package quantity',
  'unit count',
  'edition',
  'platform',
  'hardware platform',
];

const KNOWN = new Set(WEBSHOP_OPTION_NAMES);

export interface OptionGroup {
  name: string;
  values: string[];
}

/** Whether a synthetic goal's instruction names `name` as an option ('with size: 8', ', and color: red'). */
const namedByInstruction = (name: string, instruction: string): boolean =>
  instruction.includes(`with ${name}: `) || instruction.includes(`, and ${name}: `);

/**
 * Splits the option region of an item page (the segments between '< Prev' and the title) into
 * groups. Names and values are lower-cased (WebShop's loader lower-cases both, so this changes
 * nothing on real pages and makes a model's capitalised text read the same).
 */
export const readOptionGroups = (region: readonly string[], instruction = ''): OptionGroup[] => {
  const hint = instruction.toLowerCase();
  const groups: OptionGroup[] = [];
  const used = new Set<string>();
  region.forEach((segment, i) => {
    const token = segment.toLowerCase();
    const current = groups.at(-1);
    const isName =
      current === undefined ||
      (current.values.length > 0 &&
        i < region.length - 1 &&
        !used.has(token) &&
        (KNOWN.has(token) || namedByInstruction(token, hint)));
    if (isName) {
      groups.push({ name: token, values: [] });
      used.add(token);
    } else current.values.push(token);
  });
  return groups;
};
