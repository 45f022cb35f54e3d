// Readers of the trainers' formats, written from each format's documentation (not from the
// exporter): they throw on anything the trainer would reject or misread.
import { readFileSync } from 'node:fs';

const fail = (where: string, what: string): never => {
  throw new Error(`${where}: ${what}`);
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * OpenAI chat fine-tuning JSONL (also what TRL's SFTTrainer reads as conversational data): one
 * JSON object a line with a `messages` array of {role, content}; roles system (first only),
 * user, assistant; at least one assistant message, the last message the assistant's.
 */
export const readOpenAIChatJsonl = (file: string): ChatMessage[][] => {
  const text = readFileSync(file, 'utf8');
  if (!text.endsWith('\n')) fail(file, 'does not end with a newline');
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, i) => {
      const where = `${file}:${i + 1}`;
      const record = JSON.parse(line) as unknown;
      if (!isObject(record)) return fail(where, 'not an object');
      if (Object.keys(record).join(',') !== 'messages') fail(where, `keys ${Object.keys(record).join(',')} (expected only messages)`);
      const messages = record['messages'];
      if (!Array.isArray(messages) || messages.length < 2) return fail(where, 'messages is not an array of at least 2');
      messages.forEach((m: unknown, j) => {
        if (!isObject(m) || typeof m['content'] !== 'string' || !['system', 'user', 'assistant'].includes(m['role'] as string)) fail(where, `message ${j} is not {role, content}`);
        if ((m as { role: string }).role === 'system' && j !== 0) fail(where, `system message at ${j}`);
      });
      const typed = messages as ChatMessage[];
      if (typed.at(-1)?.role !== 'assistant') fail(where, 'the last message is not the assistant\'s');
      if (!typed.some((m) => m.role === 'user')) fail(where, 'no user message');
      return typed;
    });
};

const readJsonArray = (file: string): unknown[] => {
  const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(data)) return fail(file, 'not a JSON array');
  return data;
};

export interface AgentGymItem {
  item_id: string;
  conversations: Array<{ from: 'human' | 'gpt'; loss: boolean | null; value: string }>;
}

/**
 * AgentGym's AgentTraj-L: a JSON array of {item_id "<env>_<n>", conversations [{from, loss,
 * value}]} alternating human / gpt from a human turn; loss null on human turns, a boolean on
 * gpt turns (the opening "Ok." false, the agent's steps true); the agent's ReAct turns carry
 * `Action:` followed by the action (AgentGym's ReAct parser takes what follows it).
 */
export const readAgentTraj = (file: string): Array<AgentGymItem & { actions: string[] }> =>
  readJsonArray(file).map((item, i) => {
    const where = `${file}[${i}]`;
    if (!isObject(item) || typeof item['item_id'] !== 'string' || !/^[a-z]+_\S+$/.test(item['item_id'])) return fail(where, 'item_id is not "<env>_<id>"');
    const conversations = item['conversations'];
    if (!Array.isArray(conversations) || conversations.length < 4 || conversations.length % 2 !== 0) return fail(where, 'conversations is not an even list of at least 4');
    const actions: string[] = [];
    conversations.forEach((turn: unknown, j) => {
      if (!isObject(turn) || typeof turn['value'] !== 'string') return fail(where, `turn ${j} has no string value`);
      const expected = j % 2 === 0 ? 'human' : 'gpt';
      if (turn['from'] !== expected) fail(where, `turn ${j} is from ${String(turn['from'])}, expected ${expected}`);
      if (expected === 'human' && turn['loss'] !== null) fail(where, `human turn ${j} has loss ${String(turn['loss'])}`);
      if (expected === 'gpt' && typeof turn['loss'] !== 'boolean') fail(where, `gpt turn ${j} has no boolean loss`);
      if (expected === 'gpt' && j >= 3) {
        if (turn['loss'] !== true) fail(where, `agent turn ${j} is not trained on (loss ${String(turn['loss'])})`);
        const m = /Action:\s*\n?([\s\S]*)$/.exec(turn['value']);
        if (!m?.[1]) fail(where, `agent turn ${j} has no "Action:"`);
        actions.push(m![1]!.trim());
      }
      return undefined;
    });
    if ((conversations[1] as { loss: unknown }).loss !== false) fail(where, 'the opening reply is trained on');
    return { ...(item as unknown as AgentGymItem), actions };
  });

export interface EtoTurn {
  from: 'human' | 'gpt';
  value: string;
}

const checkEtoTurns = (turns: unknown, where: string, firstFrom: 'human' | 'gpt'): EtoTurn[] => {
  if (!Array.isArray(turns) || turns.length === 0) return fail(where, 'not a non-empty list of turns');
  turns.forEach((t: unknown, j) => {
    const expected = (j % 2 === 0) === (firstFrom === 'human') ? 'human' : 'gpt';
    if (!isObject(t) || t['from'] !== expected || typeof t['value'] !== 'string') return fail(where, `turn ${j} is not {from: ${expected}, value}`);
    if (expected === 'gpt' && t['value'] !== 'OK' && !/^Thought: [\s\S]*\nAction: .+$/.test(t['value'] as string)) fail(where, `gpt turn ${j} is not "Thought: …\\nAction: …"`);
    return undefined;
  });
  return turns as EtoTurn[];
};

/** ETO's SFT file: a JSON array of {id, conversations [{from, value}], reward}, from a human turn, alternating. */
export const readEtoSft = (file: string): Array<{ id: string; conversations: EtoTurn[]; reward: number }> =>
  readJsonArray(file).map((item, i) => {
    const where = `${file}[${i}]`;
    if (!isObject(item) || typeof item['id'] !== 'string' || typeof item['reward'] !== 'number') return fail(where, 'no string id or numeric reward');
    const conversations = checkEtoTurns(item['conversations'], where, 'human');
    if (conversations.at(-1)?.from !== 'gpt') fail(where, 'does not end with the agent');
    return { id: item['id'], conversations, reward: item['reward'] };
  });

/**
 * ETO's preference pairs (what its DPO step reads): a JSON array of {id, prompt, chosen,
 * rejected}; prompt the instruction part and the first observation (ends with human), chosen and
 * rejected the continuations (start and end with gpt).
 */
export const readEtoPairs = (file: string): Array<{ id: string; prompt: EtoTurn[]; chosen: EtoTurn[]; rejected: EtoTurn[] }> =>
  readJsonArray(file).map((item, i) => {
    const where = `${file}[${i}]`;
    if (!isObject(item) || typeof item['id'] !== 'string') return fail(where, 'no string id');
    const prompt = checkEtoTurns(item['prompt'], `${where}.prompt`, 'human');
    if (prompt.at(-1)?.from !== 'human') fail(where, 'prompt does not end with a human turn');
    const chosen = checkEtoTurns(item['chosen'], `${where}.chosen`, 'gpt');
    const rejected = checkEtoTurns(item['rejected'], `${where}.rejected`, 'gpt');
    if (chosen.at(-1)?.from !== 'gpt' || rejected.at(-1)?.from !== 'gpt') fail(where, 'chosen or rejected does not end with gpt');
    return { id: item['id'], prompt, chosen, rejected };
  });

/**
 * A ShareGPT dataset through its LLaMA-Factory `dataset_info.json` entry: the entry names the file,
 * formatting sharegpt, the messages and system columns and the tags; in each record the user tag
 * sits at odd positions and the assistant tag at even ones (1-based), as LLaMA-Factory requires.
 */
export const readShareGptViaDatasetInfo = (infoFile: string, name: string, dir: string): Array<{ system: string; turns: Array<{ role: 'user' | 'assistant'; content: string }> }> => {
  const info = JSON.parse(readFileSync(infoFile, 'utf8')) as Record<string, unknown>;
  const entry = info[name];
  if (!isObject(entry)) return fail(infoFile, `no entry ${name}`);
  if (entry['formatting'] !== 'sharegpt') fail(infoFile, 'formatting is not sharegpt');
  const columns = (entry['columns'] ?? {}) as Record<string, string>;
  const tags = (entry['tags'] ?? {}) as Record<string, string>;
  // LLaMA-Factory's defaults for the sharegpt format.
  const messagesColumn = columns['messages'] ?? 'conversations';
  const roleTag = tags['role_tag'] ?? 'from';
  const contentTag = tags['content_tag'] ?? 'value';
  const userTag = tags['user_tag'] ?? 'human';
  const assistantTag = tags['assistant_tag'] ?? 'gpt';
  const file = `${dir}/${String(entry['file_name'])}`;
  return readJsonArray(file).map((record, i) => {
    const where = `${file}[${i}]`;
    if (!isObject(record)) return fail(where, 'not an object');
    const messages = record[messagesColumn];
    if (!Array.isArray(messages) || messages.length === 0 || messages.length % 2 !== 0) return fail(where, `${messagesColumn} is not an even, non-empty list`);
    const turns = messages.map((m: unknown, j) => {
      const expected = j % 2 === 0 ? userTag : assistantTag;
      if (!isObject(m) || m[roleTag] !== expected || typeof m[contentTag] !== 'string') return fail(where, `message ${j} is not {${roleTag}: ${expected}, ${contentTag}}`);
      return { role: j % 2 === 0 ? ('user' as const) : ('assistant' as const), content: m[contentTag] };
    });
    const system = columns['system'] === undefined ? '' : record[columns['system']];
    if (typeof system !== 'string') fail(where, 'system column is not a string');
    return { system: system as string, turns };
  });
};
