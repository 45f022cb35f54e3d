/**
 * Reads the done page's `#reward_info` (a Python dict printed by pprint: `{'r_att': 1.0,\n
 * 'query_match': True, ...}`) into plain numbers and booleans. Pure; unknown values become null.
 */
export const parseRewardInfo = (text: string): Record<string, number | boolean | null> => {
  const out: Record<string, number | boolean | null> = {};
  for (const match of text.matchAll(/'([^']+)':\s*([^,}\s]+)/g)) {
    const [, key, raw] = match;
    if (key === undefined || raw === undefined) continue;
    out[key] = raw === 'True' ? true : raw === 'False' ? false : raw === 'None' ? null : Number.isFinite(Number(raw)) ? Number(raw) : null;
  }
  return out;
};

/** The score printed in `#reward pre` (Python float repr), or undefined when it is not a number. */
export const parseReward = (text: string | null): number | undefined => {
  if (text === null || !/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text.trim())) return undefined;
  return Number(text);
};
