import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactSecrets } from '../cli/redact-secrets.js';
import { startCli } from './helpers/cli.js';
import { parsePrometheusText } from './helpers/prometheus-text.js';
import { http, WsClient } from './helpers/server-client.js';
import { DREAM_TASKS, toyTransitionLines } from './helpers/server-dream.js';

// Characters a URL path must encode: the base URL carries it encoded, the server decodes it.
const TOKEN = 'trainer-token/9c2e+x';
const PATH = `/t/${encodeURIComponent(TOKEN)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `dreambridge serve` as a trainer runs it: clients that cannot set headers (AgentGym's, OpenEnv's)
 * given the base URL http://host:port/t/<token>, a long-lived AgentGym env outliving the idle
 * timeout, one browser context allowed, and the info-level log read for the token.
 */
describe('dreambridge serve for trainers (the CLI): token URL, limits, reaping, dream tasks, logs', () => {
  let dir: string;
  let served: Awaited<ReturnType<typeof startCli>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dreambridge-serve-trainers-'));
    await writeFile(join(dir, 'seed.jsonl'), DREAM_TASKS.map(toyTransitionLines).join(''));
    served = await startCli(
      ['serve', '--env', 'webshop', '--fixture', '--port', '0', '--token', TOKEN, '--buffer', join(dir, 'seed.jsonl'), '--out', join(dir, 'run'),
        '--idle-timeout', '1', '--max-real-sessions', '1', '--agentgym-mode', 'dream', '--warm-contexts', '1'],
      60_000,
      { DREAMBRIDGE_LOG_LEVEL: 'info' },
    );
  }, 90_000);
  afterAll(async () => {
    if (served.child.exitCode === null) served.child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  const metrics = async (): Promise<Map<string, number>> => {
    const response = await fetch(`${served.url}${PATH}/metrics`);
    expect(response.status).toBe(200);
    return parsePrometheusText(await response.text());
  };

  it('serves the token URL, refuses a second browser context, dreams any site goal, and keeps a reaped AgentGym env', async () => {
    expect(served.stdout()).toContain(`base URL ${served.url}/t/<token>`);
    expect(served.stdout()).toMatch(/up to 1024 sessions \(1 real\)/);
    const base = `${served.url}${PATH}`;
    expect((await http(`${base}/metadata`)).status).toBe(200);
    expect((await http(`${served.url}/t/not-the-token/metadata`)).status).toBe(401);

    // One real session holds the one browser context allowed.
    const realWs = await WsClient.connect(base);
    const real = await realWs.reset({ task_id: 0 });
    expect(real.data.observation).toMatchObject({ source: 'real', page_type: 'search' });
    const goal0 = real.data.observation!['instruction'] as string;
    expect(DREAM_TASKS.map((t) => t.instruction)).not.toContain(goal0);
    const other = await WsClient.connect(base);
    const refused = await other.reset({ task_id: 1 });
    expect(refused.data).toMatchObject({ code: 'CAPACITY_REACHED', message: expect.stringContaining('--max-real-sessions 1'), details: { limit: 'max_real_sessions', max_real_sessions: 1 } });
    // A dream of goal 0, which the buffer (goals 1500-1502) does not have: the site knows its instruction.
    const dream = await other.reset({ task_id: 0, mode: 'dream' });
    expect(dream.data.observation).toMatchObject({ source: 'dream', instruction: goal0 });
    // AgentGym's create sends no body: --agentgym-mode dream.
    const gym = `${base}/agentgym`;
    const idx = (await (await fetch(`${gym}/create`, { method: 'POST' })).json()) as number;
    expect((await http(`${gym}/reset`, { body: { env_idx: idx, session_id: 0 } })).body).toEqual([dream.data.observation!['text'], null]);
    await realWs.close();
    await other.close();

    // A real AgentGym env reaped while idle frees its browser context, keeps its id and reopens.
    const realIdx = (await http(`${gym}/create`, { body: { mode: 'real' } })).body as number;
    const first = await http(`${gym}/reset`, { body: { env_idx: realIdx, session_id: 1500 } });
    expect(first.status).toBe(200);
    expect((await metrics()).get('dreambridge_real_sessions')).toBe(1);
    const end = Date.now() + 10_000;
    while ((await metrics()).get('dreambridge_real_sessions') !== 0 && Date.now() < end) await sleep(200);
    const reaped = await metrics();
    expect(reaped.get('dreambridge_real_sessions')).toBe(0);
    expect(reaped.get('dreambridge_browser_contexts_open')).toBe(0);
    expect(reaped.get('dreambridge_sessions_reaped_total')).toBeGreaterThanOrEqual(1);
    const again = await http(`${gym}/reset`, { body: { env_idx: realIdx, session_id: 1500 } });
    expect(again).toMatchObject({ status: 200, body: first.body });
    const step = await http(`${gym}/step`, { body: { env_idx: realIdx, action: 'search[lamp]' } });
    expect(step).toMatchObject({ status: 200, body: { done: false, info: null } });
    expect((step.body as { state: string }).state).toMatch(/Page 1 \(Total results: \d+\)/);
    const after = await metrics();
    expect(after.get('dreambridge_real_sessions')).toBe(1);
    expect(after.get('dreambridge_browser_contexts_open')).toBe(1);
    expect(after.get('dreambridge_max_real_sessions')).toBe(1);
    expect(after.get('dreambridge_step_seconds_count{source="real"}')).toBe(1);
    expect(after.get('dreambridge_real_budget_used')).toBe(1);
    await http(`${gym}/close`, { body: { env_idx: realIdx } });

    // Every line of the info log, and none carries the token (plain or encoded).
    const log = served.stderr();
    expect(log).toContain('"msg":"session opened"');
    expect(log).toContain('"msg":"idle session reaped"');
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(encodeURIComponent(TOKEN));
    expect(served.stdout()).not.toContain(TOKEN);
  }, 90_000);
});

describe('log redaction', () => {
  it('replaces a secret wherever a line carries it: plain, URL-encoded or JSON-escaped', () => {
    const line = JSON.stringify({ url: `/t/${encodeURIComponent(TOKEN)}/reset`, msg: `token ${TOKEN}`, quoted: `"${TOKEN}"` });
    const redacted = redactSecrets(line, [TOKEN, '']);
    expect(redacted).not.toContain(TOKEN);
    expect(redacted).not.toContain(encodeURIComponent(TOKEN));
    expect(JSON.parse(redacted)).toEqual({ url: '/t/[redacted]/reset', msg: 'token [redacted]', quoted: '"[redacted]"' });
  });
});
