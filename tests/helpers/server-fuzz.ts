/** Deterministic generators of malformed messages, each with the error code it must get. */
import seedrandom from 'seedrandom';

export type Random = () => number;

/** Seeded, so fuzz input varies reproducibly. */
export const seededRandom = (seed: number): Random => seedrandom(String(seed));

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const word = (random: Random, max = 12): string =>
  Array.from({ length: 1 + Math.floor(random() * max) }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('');

/** Values of every JSON type but string (for fields that must be strings). */
const nonStrings = (random: Random): unknown[] => [Math.floor(random() * 1e6), -1.5, true, false, null, [], [word(random)], { a: word(random) }];
/** Values of every JSON type but object. */
const nonObjects = (random: Random): unknown[] => [Math.floor(random() * 1e6), 'text', true, null, [1, 2], []];

export interface FuzzCase {
  /** Raw text sent. */
  raw: string;
  /** The `code` the reply must carry. */
  code: string;
  kind: string;
}

const valid = ['{"type":"state"}', '{"type":"reset","data":{"task_id":1500}}', '{"type":"step","data":{"action_str":"search[lamp]"}}'];

/**
 * One malformed WebSocket message: bad JSON, not an object, unknown type, wrong field types or
 * extra fields, oversized actions (and, rarely, messages past `maxMessageBytes`).
 */
export const wsFuzzCase = (random: Random, maxMessageBytes: number): FuzzCase => {
  const r = random();
  if (r < 0.2) {
    // Every proper prefix of a JSON object is invalid JSON; so is stray garbage in one.
    const base = pick(random, valid);
    const raw = random() < 0.5 ? base.slice(0, 1 + Math.floor(random() * (base.length - 1))) : `${base.slice(0, 5)}\u0001${word(random)}${base.slice(5)}`;
    return { raw, code: 'INVALID_JSON', kind: 'bad JSON' };
  }
  if (r < 0.3) return { raw: JSON.stringify(pick(random, nonObjects(random))), code: 'VALIDATION_ERROR', kind: 'not an object' };
  if (r < 0.45) {
    const type = pick(random, [word(random), 'RESET', 'Step', 'observation', 'mcp', 42, null, undefined, ['step']]);
    return { raw: JSON.stringify(type === undefined ? { data: {} } : { type, data: {} }), code: 'UNKNOWN_TYPE', kind: 'unknown type' };
  }
  if (r < 0.85) {
    const variants: Array<() => unknown> = [
      () => ({ type: 'step', data: { action_str: pick(random, nonStrings(random)) } }),
      () => ({ type: 'step', data: pick(random, nonObjects(random)) }),
      () => ({ type: 'step', data: { action_str: 'search[x]', [word(random)]: 1 } }),
      () => ({ type: 'step', data: { action: 'search[x]' } }),
      // null is not among them: OpenEnv's Optional fields take it (an unset thought).
      () => ({ type: 'step', data: { action_str: 'click[x]', thought: pick(random, nonStrings(random).filter((v) => v !== null)) } }),
      () => ({ type: 'step', data: { action_str: 'x' }, [word(random)]: true }),
      () => ({ type: 'reset', data: { seed: pick(random, ['x', -1, 1.5, true]) } }),
      () => ({ type: 'reset', data: { task_id: pick(random, [{}, [], -3, true, '']) } }),
      () => ({ type: 'reset', data: { mode: word(random) } }),
      () => ({ type: 'reset', data: { replay_actions: pick(random, ['click[x]', [1, 2], { a: 1 }]) } }),
      () => ({ type: 'reset', data: pick(random, [[1], 'x', 3]) }),
      () => ({ type: 'state', [word(random)]: 1 }),
      () => ({ type: 'close', data: {} }),
    ];
    return { raw: JSON.stringify(pick(random, variants)()), code: 'VALIDATION_ERROR', kind: 'wrong field' };
  }
  // A huge action_str is an ordinary invalid step (last_action_error); a huge replayed action is refused.
  if (r < 0.995) return { raw: JSON.stringify({ type: 'reset', data: { replay_actions: ['x'.repeat(8_193 + Math.floor(random() * 4_000))] } }), code: 'VALIDATION_ERROR', kind: 'huge replayed action' };
  return { raw: JSON.stringify({ type: 'step', data: { action_str: 'y'.repeat(maxMessageBytes) } }), code: 'VALIDATION_ERROR', kind: 'huge message' };
};

export interface HttpFuzzCase {
  path: string;
  raw: string;
  status: number;
  code: string;
  kind: string;
}

/** One malformed HTTP call (OpenEnv and AgentGym routes), including calls on closed sessions. */
export const httpFuzzCase = (random: Random, closed: { session: string; envIdx: number }, maxBodyBytes: number): HttpFuzzCase => {
  const r = random();
  if (r < 0.2) {
    const path = pick(random, ['/reset', '/step', '/agentgym/step', '/agentgym/reset', '/close']);
    return { path, raw: `{"action": {"action_str": "x"}${word(random)}`, status: 400, code: 'INVALID_JSON', kind: 'bad JSON' };
  }
  if (r < 0.55) {
    const bodies: Array<[string, unknown]> = [
      ['/step', { action: { action_str: pick(random, nonStrings(random)) }, session_id: closed.session }],
      ['/step', { action: pick(random, nonObjects(random)), session_id: closed.session }],
      ['/step', { action: { action_str: 'x', [word(random)]: 1 }, session_id: closed.session }],
      ['/step', { action: { action_str: 'x' }, timeout_s: pick(random, [-1, 0, 'x']) }],
      ['/reset', { seed: pick(random, ['x', -1, 1.5]) }],
      ['/reset', { mode: word(random) }],
      ['/reset', pick(random, [[1], 'x', 3, null])],
      ['/agentgym/step', { env_idx: pick(random, ['x', -1, 1.5, null]), action: 'search[x]' }],
      ['/agentgym/step', { env_idx: 0, action: pick(random, nonStrings(random)) }],
      ['/agentgym/reset', { env_idx: 0, session_id: pick(random, ['x', -2, 1.5]) }],
      ['/close', { session_id: pick(random, nonStrings(random)) }],
    ];
    const [path, body] = pick(random, bodies);
    return { path, raw: JSON.stringify(body), status: 422, code: 'VALIDATION_ERROR', kind: 'wrong field' };
  }
  if (r < 0.95) {
    return random() < 0.5
      ? { path: '/step', raw: JSON.stringify({ action: { action_str: 'search[x]' }, session_id: closed.session }), status: 409, code: 'SESSION_CLOSED', kind: 'closed session' }
      : { path: '/agentgym/step', raw: JSON.stringify({ env_idx: closed.envIdx, action: 'search[x]' }), status: 409, code: 'SESSION_CLOSED', kind: 'closed env' };
  }
  return { path: '/reset', raw: JSON.stringify({ instruction: 'z'.repeat(maxBodyBytes) }), status: 413, code: 'VALIDATION_ERROR', kind: 'huge body' };
};
