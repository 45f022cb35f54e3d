import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedLlmServer, type ScriptedLlmServer, type ScriptedReplyRequest } from '../fixtures/llm/scripted-llm-server.js';
import type { Transition } from '../src/protocol/index.js';
import { runCli } from './helpers/cli.js';

const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `dreambridge-${name}-`));
const transitions = (dir: string): Transition[] =>
  readFileSync(join(dir, 'transitions.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Transition);

/**
 * A policy model that proposes what the prompt offers: the n-th admissible click on a results page,
 * a search of other words on a search page (verl-agent's prompt lists the admissible actions).
 */
const propose = (request: ScriptedReplyRequest): string => {
  const prompt = request.messages.map((m) => m.content).join('\n');
  const clicks = [...prompt.matchAll(/'(click\[b0[a-z0-9]+\])'/g)].map((m) => m[1]!);
  const action = clicks.length > 0 ? clicks[request.hit % clicks.length]! : `search[${['lamp', 'desk light', 'bright lamp', 'brass light'][request.hit % 4]}]`;
  return `<think>try something the expert did not</think><action>${action}</action>`;
};

let llm: ScriptedLlmServer;
let seeds: string;

beforeAll(async () => {
  llm = await startScriptedLlmServer({ rules: [{ match: /admissible actions/i, reply: propose }] });
  seeds = join(tmp('branch-openai-seeds'), 'run');
  const collected = await runCli(['collect', '--env', 'webshop', '--fixture', '--episodes', '2', '--out', seeds]);
  expect(collected.code, collected.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await llm.close();
});

describe('dreambridge branch --policy openai:NAME', () => {
  it('asks the OpenAI-compatible policy for alternatives, sampling at temperature > 0, and records them as the policy proposed them', async () => {
    const out = join(tmp('branch-openai'), 'run');
    const result = await runCli(['branch', '--env', 'webshop', '--fixture', '--from', seeds, '--k', '2', '--policy', 'openai:policy-model', '--policy-base-url', llm.url, '--out', out], { timeoutMs: 200_000 });
    expect(result.code, result.stderr).toBe(0);
    const chats = llm.requests.filter((r) => r.route === 'chat');
    expect(chats.length).toBeGreaterThan(0);
    for (const r of chats) {
      expect((r.body as { model: string }).model).toBe('policy-model');
      expect((r.body as { temperature?: number }).temperature).toBeGreaterThan(0);
    }
    const branches = transitions(out).filter((t) => t.info['branch'] !== undefined);
    expect(branches.length).toBeGreaterThan(0);
    const byPolicy = branches.filter((t) => (t.info['branch'] as { proposed_by: string }).proposed_by === 'policy');
    // Each alternative the model proposed is one it could only have read from the prompt of that state.
    expect(byPolicy.length).toBeGreaterThan(0);
    for (const t of byPolicy) expect(t.action).not.toBe((t.info['branch'] as { expert_action: string }).expert_action);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { policy?: { name?: string; kind?: string } };
    expect(manifest.policy).toMatchObject({ name: 'openai:policy-model', kind: 'llm' });
  }, 240_000);
});
