import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findExamplePython, PYTHON_SKIP_MESSAGE, pythonExamples, runFile } from './helpers/python-examples.js';
import { startDreamServer, type TestServer } from './helpers/server-client.js';

const python = await findExamplePython();
if (!python) console.log(PYTHON_SKIP_MESSAGE);

// The examples take the server's base URL as it is (a path token, http://host:port/t/TOKEN, included).
describe.skipIf(!python)('trainer examples (examples/python) against the server', () => {
  const TOKEN = 'examples-token-3c9a';
  let t: TestServer;
  /** The base URL every example is given: the token in the path, as clients without headers use it. */
  let base: string;
  beforeAll(async () => {
    t = await startDreamServer({ token: TOKEN });
    base = `${t.server.url}/t/${TOKEN}`;
  });
  afterAll(async () => {
    await t.stop();
  });

  it("TRL: the environment_factory class plays an episode through its tools, invalid actions raised to the model, the reward from get_reward", async () => {
    const { stdout } = await runFile(python!, [join(pythonExamples, 'trl_webshop_environment.py'), base, '--task', '1501'], { timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('prompt: Instruction: find a floor lamp under 70 dollars');
    expect(lines[1]).toMatch(/^tool error: INVALID_ACTION: /);
    const summary = JSON.parse(lines.at(-1)!) as { reward: number; done: boolean; truncated: boolean; session_id: string };
    expect(summary).toMatchObject({ reward: 1, done: true, truncated: false });
    const episode = (await t.runDir.readEpisodes()).find((e) => e.task_id === '1501' && e.success);
    expect(episode).toMatchObject({ total_reward: 1, termination: 'done', source: 'dream' });
    // The class closed its session when it was collected (the process ended).
    await vi.waitFor(() => expect(t.server.manager.list().map((s) => s.key)).not.toContain(summary.session_id), { timeout: 5_000 });
  });

  it('verl-agent: the environment manager steps a batch over WS, projects <action> tags, and its success evaluator reads won', async () => {
    const { stdout } = await runFile(python!, [join(pythonExamples, 'verl_agent_env_manager.py'), base, '--tasks', '1500,1501,1502'], { timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    // The first turn has no tags: projected as invalid (and answered by the server with last_action_error).
    expect(lines[0]).toBe('turn 1 valid=[0, 0, 0] dones=[False, False, False]');
    expect(lines).toContain('turn 4 valid=[1, 1, 1] dones=[True, True, True]');
    const summary = JSON.parse(lines.at(-1)!) as { success_rate: number[]; total_rewards: number[]; episode_ids: string[] };
    expect(summary).toMatchObject({ success_rate: [1, 1, 1], total_rewards: [1, 1, 1] });
    const transitions = await t.runDir.readTransitions();
    const first = transitions.find((l) => l.episode_id === summary.episode_ids[0] && l.step === 1)!;
    expect(first).toMatchObject({ action: 'search[find a brass desk lamp under 40 dollars]', thought: expect.stringMatching(/^<think>.*<\/think><action>search\[/) });
    // close() sent {"type":"close"} on every connection.
    await vi.waitFor(() => expect(t.server.connections()).toBe(0), { timeout: 5_000 });
  });

  it('AgentGym: the WebShop client settings (base URL …/agentgym) play an episode and close the environment', async () => {
    const { stdout } = await runFile(python!, [join(pythonExamples, 'agentgym_http_episode.py'), base, '--goal', '1502'], { timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    expect(JSON.parse(lines.at(-2)!)).toMatchObject({ done: true });
    expect(JSON.parse(lines.at(-1)!)).toEqual({ closed: true });
  });
});
