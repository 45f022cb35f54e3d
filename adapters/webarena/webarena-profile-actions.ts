/**
 * WebArena's id-based action grammar, parsed as its own `create_id_based_action` does (prefix
 * regexes, `type` defaulting to pressing Enter), with ids that may carry a frame prefix (`f1.12`).
 */
export type WebArenaAction =
  | { kind: 'click' | 'hover'; id: string }
  | { kind: 'type'; id: string; text: string; enter: boolean }
  | { kind: 'press'; keys: string }
  | { kind: 'scroll'; direction: 'up' | 'down' }
  | { kind: 'new_tab' | 'close_tab' | 'go_back' | 'go_forward' }
  | { kind: 'tab_focus'; index: number }
  | { kind: 'goto'; url: string }
  | { kind: 'stop'; answer: string };

export type ParsedWebArenaAction = { ok: true; action: WebArenaAction } | { ok: false; reason: string };

const ID = '([A-Za-z0-9_.-]+)';

/**
 * Agents write the action inside triple backticks after "In summary, the next action I will
 * perform is"; the last fenced block wins, else the whole text.
 */
export const extractWebArenaAction = (response: string): string => {
  const blocks = [...response.matchAll(/```(?:[a-z]*\n)?([\s\S]*?)```/g)].map((m) => (m[1] ?? '').trim());
  return blocks.at(-1) ?? response.trim();
};

export const parseWebArenaAction = (raw: string): ParsedWebArenaAction => {
  let text = extractWebArenaAction(raw).trim();
  const name = text.split(/[\s[]/)[0]?.toLowerCase() ?? '';
  const fail = (reason: string): ParsedWebArenaAction => ({ ok: false, reason: `${reason}: "${raw.slice(0, 120)}"` });
  let m: RegExpMatchArray | null;
  switch (name) {
    case 'click':
    case 'hover':
      m = text.match(new RegExp(`^${name} ?\\[${ID}\\]`, 'i'));
      return m?.[1] ? { ok: true, action: { kind: name, id: m[1] } } : fail(`expected ${name} [id]`);
    case 'type':
      // WebArena appends [1] (press Enter) when the flag is missing.
      if (!/\[[01]\]\s*$/.test(text)) text = `${text} [1]`;
      m = text.match(new RegExp(`^type ?\\[${ID}\\] ?\\[([\\s\\S]*)\\] ?\\[([01])\\]\\s*$`, 'i'));
      return m?.[1] ? { ok: true, action: { kind: 'type', id: m[1], text: m[2] ?? '', enter: m[3] === '1' } } : fail('expected type [id] [text] [0|1]');
    case 'press':
      m = text.match(/^press ?\[(.+)\]/i);
      return m?.[1] ? { ok: true, action: { kind: 'press', keys: m[1] } } : fail('expected press [key_comb]');
    case 'scroll':
      m = text.match(/^scroll ?\[?(?:direction=)?(up|down)\]?/i);
      return m?.[1] ? { ok: true, action: { kind: 'scroll', direction: m[1].toLowerCase() as 'up' | 'down' } } : fail('expected scroll [up|down]');
    case 'new_tab':
    case 'close_tab':
    case 'go_back':
    case 'go_forward':
      return { ok: true, action: { kind: name } };
    case 'tab_focus':
      m = text.match(/^tab_focus ?\[(\d+)\]/i);
      return m?.[1] ? { ok: true, action: { kind: 'tab_focus', index: Number(m[1]) } } : fail('expected tab_focus [index]');
    case 'goto':
      m = text.match(/^goto ?\[(.+)\]/i);
      return m?.[1] ? { ok: true, action: { kind: 'goto', url: m[1].trim() } } : fail('expected goto [url]');
    case 'stop':
      m = text.match(/^stop ?\[([\s\S]*)\]/i);
      // An empty answer is allowed (`stop []`, or a bare `stop`).
      return { ok: true, action: { kind: 'stop', answer: m?.[1] ?? '' } };
    default:
      return fail('not a WebArena action (click, hover, type, press, scroll, new_tab, tab_focus, close_tab, goto, go_back, go_forward, stop)');
  }
};

/** The canonical string of an action (for the repeated-action rule and logs). */
export const formatWebArenaAction = (a: WebArenaAction): string => {
  switch (a.kind) {
    case 'click':
    case 'hover':
      return `${a.kind} [${a.id}]`;
    case 'type':
      return `type [${a.id}] [${a.text}] [${a.enter ? 1 : 0}]`;
    case 'press':
      return `press [${a.keys}]`;
    case 'scroll':
      return `scroll [${a.direction}]`;
    case 'tab_focus':
      return `tab_focus [${a.index}]`;
    case 'goto':
      return `goto [${a.url}]`;
    case 'stop':
      return `stop [${a.answer}]`;
    default:
      return a.kind;
  }
};
