import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTreeId } from '../adapters/webarena/webarena-profile.js';
import { startCli, waitForExit } from './helpers/cli.js';
import { findExamplePython, PYTHON_SKIP_MESSAGE, pythonExamples, runFile } from './helpers/python-examples.js';
import { http } from './helpers/server-client.js';

const python = await findExamplePython();
if (!python) console.log(PYTHON_SKIP_MESSAGE);

/** Task 11 of the local WebArena sites: search the customers of Worcester, answer their names. */
const ANSWER = 'Liam Jensen, Sophia Diaz, Chloe Quinn, Daniel Carter, Nora Diaz';

describe('dreambridge serve --env webarena --fixture: AgentGym routes with agentenv-webarena\'s shapes', () => {
  let dir: string;
  let served: Awaited<ReturnType<typeof startCli>>;
  let base: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dreambridge-agentgym-webarena-'));
    served = await startCli(['serve', '--env', 'webarena', '--fixture', '--mode', 'real', '--port', '0', '--out', join(dir, 'run')], 60_000);
    base = `${served.url}/agentgym`;
  }, 90_000);
  afterAll(async () => {
    if (served.child.exitCode === null) {
      served.child.kill('SIGTERM');
      await waitForExit(served.child);
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('plays a task as WebarenaEnvClient does: create without a body, reset {seed, idx}, steps of whole model turns, close', async () => {
    expect((await http(`${base}/`)).body).toBe('ok');
    // WebarenaEnvClient posts /create with no body and reads ["env_idx"].
    const created = await fetch(`${base}/create`, { method: 'POST' });
    expect(created.status).toBe(200);
    const { env_idx: envIdx } = (await created.json()) as { env_idx: number };
    expect(Number.isInteger(envIdx)).toBe(true);
    expect((await http(`${base}/list_envs`)).body).toContain(envIdx);

    const reset = await http(`${base}/reset`, { body: { env_idx: envIdx, seed: 0, idx: 11 } });
    expect(reset.status).toBe(200);
    const first = reset.body as { observation: string; sites: string[]; object: string };
    expect(Object.keys(first).sort()).toEqual(['object', 'observation', 'sites']);
    expect(first.observation).toMatch(/^Tab 0 \(current\): /);
    expect(first.observation).not.toBe('TimeoutError');
    expect(first.object).toMatch(/Worcester/);
    expect(first.sites).toEqual(['shopping_admin']);
    const textbox = findTreeId(first.observation, 'textbox', 'Search by keyword')!;
    expect(textbox).toBeDefined();

    // The whole model turn is the action; the first fenced block is what the site acts on.
    const turn = `Let's think step-by-step. The page has a search box [${textbox}]. In summary, the next action I will perform is \`\`\`type [${textbox}] [Worcester] [1]\`\`\``;
    const typed = await http(`${base}/step`, { body: { env_idx: envIdx, action: turn } });
    expect(typed.status).toBe(200);
    const step = typed.body as { observation: string; reward: number; terminated: boolean; truncated: boolean; info: Record<string, unknown> };
    expect(Object.keys(step).sort()).toEqual(['info', 'observation', 'reward', 'terminated', 'truncated']);
    expect(step).toMatchObject({ reward: 0, terminated: false, truncated: false, info: { fail_error: '', step_count: 1, source: 'real' } });
    // WebArena's prompt template, the previous action described as WebArena's history does.
    expect(step.observation).toMatch(/^OBSERVATION:\nTab 0 \(current\): [^\n]*\n\n\[/);
    expect(step.observation).toMatch(/\nURL: http:\/\/[^\n]+\nOBJECTIVE: [^\n]*Worcester[^\n]*\nPREVIOUS ACTION: type \[\d+\] \[Worcester\] where \[\d+\] is textbox 'Search by keyword'/);
    expect(step.observation).toMatch(/Liam Jensen/);
    expect((await http(`${base}/observation?env_idx=${envIdx}`)).body).toBe(step.observation);
    const metadata = (await http(`${base}/observation_metadata?env_idx=${envIdx}`)).body as { text: { obs_nodes_info: Record<string, { text: string }> } };
    expect(Object.values(metadata.text.obs_nodes_info).some((node) => /^\[\d+\] textbox 'Search by keyword'/.test(node.text))).toBe(true);

    // A turn without a fenced action is an ordinary step: WebArena's format hint comes back.
    const unfenced = (await http(`${base}/step`, { body: { env_idx: envIdx, action: 'I think I should stop here.' } })).body as { observation: string; terminated: boolean; info: { fail_error: string } };
    expect(unfenced).toMatchObject({ terminated: false });
    expect(unfenced.info.fail_error).toMatch(/^INVALID_ACTION/);
    expect(unfenced.observation).toMatch(/PREVIOUS ACTION: The previous prediction you issued was "I think I should stop here\."\. However, the format was incorrect/);

    const stopped = (await http(`${base}/step`, { body: { env_idx: envIdx, action: `In summary, the next action I will perform is \`\`\`stop [${ANSWER}]\`\`\`` } })).body as { reward: number; terminated: boolean; truncated: boolean };
    expect(stopped).toMatchObject({ reward: 1, terminated: true, truncated: false });
    expect((await http(`${base}/close`, { body: { env_idx: envIdx } })).body).toEqual({ closed: 'closed' });
    expect((await http(`${base}/close`, { body: { env_idx: envIdx } })).body).toEqual({ closed: expect.stringMatching(new RegExp(`^Close Env ${envIdx} Error: `)) });
    expect((await http(`${base}/list_envs`)).body).not.toContain(envIdx);
  }, 90_000);

  it('answers bad input with 422 and unknown environments with 404, as the other routes do', async () => {
    expect(await http(`${base}/reset`, { body: { env_idx: 'x', seed: 0, idx: 1 } })).toMatchObject({ status: 422, body: { code: 'VALIDATION_ERROR' } });
    expect(await http(`${base}/step`, { body: { env_idx: 999_999, action: '```stop []```' } })).toMatchObject({ status: 404, body: { code: 'SESSION_NOT_FOUND' } });
    expect(await http(`${base}/observation?env_idx=abc`)).toMatchObject({ status: 422 });
  });

  it.skipIf(!python)('runs the AgentGym WebArena example client (examples/python/agentgym_webarena_episode.py)', async () => {
    const { stdout } = await runFile(python!, [
      join(pythonExamples, 'agentgym_webarena_episode.py'), served.url, '--idx', '11',
      '--turn', "In summary, the next action I will perform is ```type [textbox 'Search by keyword'] [Worcester] [1]```",
      '--turn', `\`\`\`stop [${ANSWER}]\`\`\``,
    ], { timeout: 90_000 });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^step 1 reward=0 terminated=False truncated=False previous=type \[\d+\] \[Worcester\] where/);
    expect(JSON.parse(lines.at(-2)!)).toMatchObject({ total_reward: 1, terminated: true });
    expect(JSON.parse(lines.at(-1)!)).toEqual({ closed: 'closed' });
  }, 120_000);

  it('records the fenced action as the action and the whole turn as its thought', async () => {
    served.child.kill('SIGTERM');
    expect(await waitForExit(served.child)).toMatchObject({ code: 0 });
    const lines = (await readFile(join(dir, 'run', 'transitions.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { action: string; thought?: string; env: string });
    const typed = lines.find((l) => l.action.startsWith('type ['))!;
    expect(typed).toMatchObject({ env: 'webarena', action: expect.stringMatching(/^type \[\d+\] \[Worcester\] \[1\]$/), thought: expect.stringMatching(/^(Let's think|In summary)/) });
  });
});
