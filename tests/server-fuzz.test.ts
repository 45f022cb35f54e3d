import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startDreamServer, WsClient, type TestServer } from './helpers/server-client.js';
import { DONE_PAGE, itemPage, resultsPage } from './helpers/server-dream.js';
import { httpFuzzCase, seededRandom, wsFuzzCase } from './helpers/server-fuzz.js';

const WS_MESSAGES = 9_000;
const HTTP_REQUESTS = 1_200;
const LIMIT = 64 * 1024;

/** A well-behaved client playing whole episodes while the fuzzing goes on: every reply must be right. */
const bystander = async (url: string, until: () => boolean): Promise<{ episodes: number; wrong: string[] }> => {
  const client = await WsClient.connect(url);
  const wrong: string[] = [];
  let episodes = 0;
  while (!until()) {
    const reset = await client.reset({ task_id: 1500 });
    const instruction = reset.data.observation?.['instruction'] as string;
    const expected: Array<[string, string]> = [
      ['search[lamp]', resultsPage(instruction)],
      ['click[b0abcdefgh]', itemPage(instruction)],
      ['click[buy now]', DONE_PAGE],
    ];
    for (const [action, text] of expected) {
      const reply = await client.step(action);
      if (reply.type !== 'observation' || reply.data.observation?.['text'] !== text) wrong.push(`${action}: ${JSON.stringify(reply).slice(0, 200)}`);
    }
    episodes += 1;
    await new Promise((r) => setTimeout(r, 20));
  }
  await client.close();
  return { episodes, wrong };
};

describe('environment server: fuzzing WS and HTTP with malformed messages', () => {
  let t: TestServer;
  let closed: { session: string; envIdx: number };
  beforeAll(async () => {
    t = await startDreamServer({ maxMessageBytes: LIMIT, maxBodyBytes: LIMIT });
    const reset = await http(`${t.server.url}/reset`, { body: { task_id: 1501 } });
    const session = (reset.body as { observation: { session_id: string } }).observation.session_id;
    await http(`${t.server.url}/close`, { body: { session_id: session } });
    const envIdx = (await http(`${t.server.url}/agentgym/create`, { body: {} })).body as number;
    await http(`${t.server.url}/agentgym/close`, { body: { env_idx: envIdx } });
    closed = { session, envIdx };
  });
  afterAll(async () => {
    await t.stop();
  });

  it(`answers ${WS_MESSAGES + HTTP_REQUESTS} malformed messages each with the right code; other sessions are unaffected`, async () => {
    let fuzzing = true;
    const others = bystander(t.server.url, () => !fuzzing);
    const mismatches: string[] = [];
    const kinds = new Map<string, number>();
    const count = (kind: string) => kinds.set(kind, (kinds.get(kind) ?? 0) + 1);

    // WS: one connection with a live episode, messages pipelined in batches (replies come in order).
    const random = seededRandom(20_261_122);
    const fuzzer = await WsClient.connect(t.server.url);
    await fuzzer.reset({ task_id: 1502 });
    for (let sent = 0; sent < WS_MESSAGES; sent += 400) {
      const batch = Array.from({ length: Math.min(400, WS_MESSAGES - sent) }, () => wsFuzzCase(random, LIMIT));
      const replies = await Promise.all(batch.map((c) => fuzzer.request(c.raw)));
      replies.forEach((reply, i) => {
        const c = batch[i]!;
        count(`ws ${c.kind}`);
        if (reply.type !== 'error' || reply.data.code !== c.code) mismatches.push(`ws ${c.kind} ${c.raw.slice(0, 80)} → ${JSON.stringify(reply).slice(0, 160)}`);
      });
    }
    // The fuzzed session itself survived every error reply.
    expect((await fuzzer.step('search[lamp]')).data.observation?.['page_type']).toBe('results');
    await fuzzer.close();

    // HTTP: 8 in flight at a time.
    const httpRandom = seededRandom(7);
    const cases = Array.from({ length: HTTP_REQUESTS }, () => httpFuzzCase(httpRandom, closed, LIMIT));
    for (let i = 0; i < cases.length; i += 8) {
      await Promise.all(
        cases.slice(i, i + 8).map(async (c) => {
          count(`http ${c.kind}`);
          const res = await http(`${t.server.url}${c.path}`, { raw: c.raw });
          const code = (res.body as { code?: string }).code;
          if (res.status !== c.status || code !== c.code) mismatches.push(`http ${c.kind} ${c.path} ${c.raw.slice(0, 80)} → ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
        }),
      );
    }
    fuzzing = false;
    const { episodes, wrong } = await others;

    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(wrong).toEqual([]);
    expect(episodes).toBeGreaterThan(0);
    expect([...kinds.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(10_000);
    expect([...kinds.keys()].sort()).toEqual(
      expect.arrayContaining(['http bad JSON', 'http closed env', 'http closed session', 'http huge body', 'http wrong field', 'ws bad JSON', 'ws huge message', 'ws huge replayed action', 'ws not an object', 'ws unknown type', 'ws wrong field']),
    );
    expect((await http(`${t.server.url}/health`)).body).toEqual({ status: 'healthy' });
    expect(t.server.manager.size).toBe(0);
    // Nothing malformed reached the run directory: only the bystander's and the fuzzer's valid steps.
    const transitions = await t.runDir.readTransitions();
    expect(transitions.every((l) => ['search[lamp]', 'click[b0abcdefgh]', 'click[buy now]'].includes(l.action))).toBe(true);
  }, 150_000);
});
