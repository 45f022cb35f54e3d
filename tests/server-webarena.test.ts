import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOracleAction } from '../harness/policies/oracle-policy.js';
import { findTreeId as findId, webArenaIds } from '../adapters/webarena/webarena-profile.js';
import type { Observation } from '../src/protocol/index.js';
import { startScriptedLlmServer } from '../fixtures/llm/scripted-llm-server.js';
import { startCli, waitForExit } from './helpers/cli.js';
import { WsClient } from './helpers/server-client.js';

describe('dreambridge serve --env webarena --fixture', () => {
  let dir: string;
  let served: Awaited<ReturnType<typeof startCli>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dreambridge-serve-webarena-'));
    served = await startCli(['serve', '--env', 'webarena', '--fixture', '--mode', 'real', '--port', '0', '--out', join(dir, 'run')], 60_000);
  }, 90_000);

  afterAll(async () => {
    if (served.child.exitCode === null) {
      served.child.kill('SIGTERM');
      await waitForExit(served.child);
    }
  });

  it('plays a WebArena task over the OpenEnv WebSocket: tree observations with ids, an invalid action answered, the evaluator scoring the answer', async () => {
    const client = await WsClient.connect(served.url);
    const reset = await client.reset({ task_id: '11' });
    expect(reset.type).toBe('observation');
    const first = (reset.data as { observation: Observation }).observation;
    expect(first.source).toBe('real');
    expect(first.text).toMatch(/\[\d+\] textbox 'Search by keyword'/);
    expect(webArenaIds(first.available_actions).length).toBeGreaterThan(0);

    const invalid = await client.step('click [999999]');
    const invalidObservation = (invalid.data as { observation: Observation; reward: number }).observation;
    expect(invalidObservation.last_action_error).toMatch(/INVALID_ACTION/);

    const typed = await client.step(resolveOracleAction("type [textbox 'Search by keyword'] [Worcester] [1]", invalidObservation, { actions: [], findId }));
    expect((typed.data as { done: boolean }).done).toBe(false);
    const answer = await client.step('stop [Liam Jensen, Sophia Diaz, Chloe Quinn, Daniel Carter, Nora Diaz]');
    expect(answer.data).toMatchObject({ done: true, reward: 1 });
    await client.close();

    served.child.kill('SIGTERM');
    expect(await waitForExit(served.child)).toMatchObject({ code: 0 });
    const lines = (await readFile(join(dir, 'run', 'transitions.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { env: string; source: string });
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.env === 'webarena' && l.source === 'real')).toBe(true);
  }, 90_000);

  it('asks the --judge for fuzzy_match answers', async () => {
    const judge = await startScriptedLlmServer({ defaultReply: 'correct' });
    const out = await mkdtemp(join(tmpdir(), 'dreambridge-serve-webarena-judge-'));
    const server = await startCli(['serve', '--env', 'webarena', '--fixture', '--mode', 'real', '--port', '0', '--judge', 'openai:scripted', '--judge-base-url', judge.url, '--out', out], 60_000);
    try {
      const client = await WsClient.connect(server.url);
      let observation = ((await client.reset({ task_id: '3' })).data as { observation: Observation }).observation;
      for (const action of ["click [link 'Orders']", "click [link '000000038']"]) {
        observation = ((await client.step(resolveOracleAction(action, observation, { actions: [], findId }))).data as { observation: Observation }).observation;
      }
      // A paraphrase: only a judge can accept it.
      const answer = await client.step('stop [They ordered three Summit Crewneck Tees plus one Glacier Gym Duffle, and the order got canceled]');
      expect(answer.data).toMatchObject({ done: true, reward: 1 });
      expect(judge.requests.filter((r) => r.path.endsWith('/chat/completions')).length).toBeGreaterThan(0);
      await client.close();
    } finally {
      server.child.kill('SIGTERM');
      await waitForExit(server.child);
      await judge.close();
    }
  }, 90_000);
});
