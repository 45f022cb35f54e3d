import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScriptedReplyRequest, ScriptedRequest } from '../fixtures/llm/scripted-llm-server.js';
import { annotationLineSchema, annotationManifestSchema, type AnnotationLine } from '../harness/annotate/annotation-line.js';
import type { Transition } from '../src/protocol/index.js';
import { cliPath, projectRoot, runCli } from './helpers/cli.js';
import { readTransitions } from './helpers/kill-resume.js';
import { useLlmServers } from './helpers/llm-servers.js';

const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `dreambridge-${name}-`));
const startLlm = useLlmServers();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const rawLines = (dir: string): string[] => (existsSync(join(dir, 'annotations.jsonl')) ? readFileSync(join(dir, 'annotations.jsonl'), 'utf8').split('\n').filter(Boolean) : []);
const readLines = (dir: string): AnnotationLine[] => rawLines(dir).map((l) => annotationLineSchema.parse(JSON.parse(l)));
const firstUser = (r: { messages: Array<{ role: string; content: string }> }): string => r.messages.find((m) => m.role === 'user')?.content ?? '';
const itemIdOf = (r: { messages: Array<{ role: string; content: string }> }): string => /<transition id="([^"]+)">/.exec(firstUser(r))?.[1] ?? '';
const chats = (requests: readonly ScriptedRequest[]): ScriptedRequest[] => requests.filter((r) => r.route === 'chat');
const idOf = (t: Transition): string => `${t.run_id}/${t.episode_id}/${t.step}`;
const good = (r: ScriptedReplyRequest): string =>
  `<reasoning>Explained ${itemIdOf(r)}.</reasoning>\n<reward>${/<real_reward>([^<]*)<\/real_reward>/.exec(firstUser(r))?.[1] ?? '?'}</reward>`;

let seeds: string;
let transitions: Transition[];

beforeAll(async () => {
  seeds = join(tmp('annotate-resume-seeds'), 'run');
  const collected = await runCli(['collect', '--env', 'webshop', '--fixture', '--episodes', '3', '--out', seeds]);
  expect(collected.code, collected.stderr).toBe(0);
  transitions = readTransitions(seeds);
  expect(transitions.length).toBeGreaterThanOrEqual(7);
}, 180_000);

describe('dreambridge annotate --resume', () => {
  it('after a SIGKILL mid-run (and a torn last line) completes without asking any finished item again: answered requests = items + re-asks', async () => {
    const order = transitions.map(idOf);
    const [reaskedBefore, hung, reaskedAfter] = [order[1], order[3], order[5]];
    let phase: 'first' | 'resume' = 'first';
    const llm = await startLlm({
      defaultReply: (r) => {
        const id = itemIdOf(r);
        const attempt = r.messages.filter((m) => m.role === 'assistant').length + 1;
        // The killed process's request in flight: the server never answers it (closing the server ends it).
        if (phase === 'first' && id === hung) return new Promise<string>(() => undefined);
        if ((id === reaskedBefore || id === reaskedAfter) && attempt === 1) return 'no tags here';
        return good(r);
      },
    });
    const out = join(tmp('annotate-resume'), 'ann');
    const args = ['annotate', '--kind', 'reasoning', '--teacher', 'openai:teacher', '--teacher-base-url', llm.url, '--from', seeds, '--out', out, '--concurrency', '1'];
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: projectRoot, env: { ...process.env, DREAMBRIDGE_LOG_LEVEL: 'warn' }, detached: true, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const deadline = Date.now() + 60_000;
    while (!chats(llm.requests).some((r) => itemIdOf(r) === hung) && Date.now() < deadline) await sleep(25);
    expect(chats(llm.requests).some((r) => itemIdOf(r) === hung), 'the hung request arrived').toBe(true);
    process.kill(-(child.pid as number), 'SIGKILL');
    await exited;
    const before = rawLines(out);
    expect(before.map((l) => (JSON.parse(l) as AnnotationLine).item_id)).toEqual(order.slice(0, 3));
    // A crash in the middle of a write leaves a torn line: resume repairs it.
    appendFileSync(join(out, 'annotations.jsonl'), '{"item_id":"torn","kind":"reas');

    phase = 'resume';
    const resumed = await runCli([...args, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`${order.length}/${order.length} items annotated (${order.length} ok, 0 failed); ${order.length - 3} written by this run`);

    const after = rawLines(out);
    expect(after.slice(0, 3)).toEqual(before);
    const lines = readLines(out);
    expect(lines.map((l) => l.item_id)).toEqual([...order.slice(0, 3), ...order.slice(3)]);
    expect(new Set(lines.map((l) => l.item_id)).size).toBe(order.length);

    // Counted at the server: every answered request belongs to one item's asks, and no item was answered more often than it asked.
    const answered = chats(llm.requests).filter((r) => r.outcome === 'reply');
    const reasks = lines.reduce((n, l) => n + l.attempts - 1, 0);
    expect(reasks).toBe(2);
    expect(answered).toHaveLength(order.length + reasks);
    for (const line of lines) expect(answered.filter((r) => itemIdOf(r) === line.item_id), line.item_id).toHaveLength(line.attempts);
    const firstAsks = answered.filter((r) => r.messages.length === 2).map(itemIdOf);
    expect(new Set(firstAsks).size).toBe(firstAsks.length);
    // The one request cut by the kill got no answer; it is the only extra request.
    expect(chats(llm.requests).filter((r) => r.outcome !== 'reply').map(itemIdOf)).toEqual([hung]);

    const manifest = annotationManifestSchema.parse(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
    expect(manifest).toMatchObject({ complete: true, counts: { items: order.length, ok: order.length, failed: 0 } });
    expect(manifest.usage.prompt_tokens).toBe(lines.reduce((n, l) => n + l.usage.prompt_tokens, 0));

    // Nothing left: a further --resume asks nothing.
    const seen = llm.requests.length;
    const again = await runCli([...args, '--resume']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('0 written by this run');
    expect(llm.requests.length).toBe(seen);
  }, 180_000);

  it('an item whose teacher request fails is left unwritten for --resume while the run goes on; a teacher that never answers is MODEL_REQUEST_FAILED', async () => {
    const failing = idOf(transitions[2]!);
    const escaped = failing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const down = await startLlm({ defaultReply: good, rules: [{ match: new RegExp(`<transition id="${escaped}">`), status: 500, retryAfterMs: 0 }] });
    const out = join(tmp('annotate-request-failure'), 'ann');
    const args = (url: string): string[] => ['annotate', '--kind', 'reasoning', '--teacher', 'openai:teacher', '--teacher-base-url', url, '--from', seeds, '--out', out];
    const first = await runCli(args(down.url));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('1 item not asked: --resume asks them');
    expect(readLines(out).map((l) => l.item_id)).not.toContain(failing);
    expect(readLines(out)).toHaveLength(transitions.length - 1);
    // The client's own retries (2) of the one request, then the item is given up for this run.
    expect(chats(down.requests).filter((r) => itemIdOf(r) === failing)).toHaveLength(3);
    expect(annotationManifestSchema.parse(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')))).toMatchObject({ complete: false, counts: { unasked: 1 } });

    const up = await startLlm({ defaultReply: good });
    const resumed = await runCli([...args(up.url), '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(chats(up.requests).map(itemIdOf)).toEqual([failing]);
    expect(readLines(out).at(-1)).toMatchObject({ item_id: failing, status: 'ok' });

    const nobody = await runCli(['annotate', '--kind', 'reasoning', '--teacher', 'openai:teacher', '--teacher-base-url', 'http://127.0.0.1:1/v1', '--from', seeds, '--out', join(tmp('annotate-down'), 'ann')]);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/error MODEL_REQUEST_FAILED: no item could be annotated: 5 teacher requests in a row failed/);
  }, 180_000);

  it('SIGINT stops cleanly: finished items kept, the manifest says interrupted, exit 130', async () => {
    const llm = await startLlm({ defaultReply: good, delayMs: 400 });
    const out = join(tmp('annotate-sigint'), 'ann');
    const args = ['annotate', '--kind', 'reasoning', '--teacher', 'openai:teacher', '--teacher-base-url', llm.url, '--from', seeds, '--out', out, '--concurrency', '1'];
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: projectRoot, env: { ...process.env, DREAMBRIDGE_LOG_LEVEL: 'warn' }, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (rawLines(out).length < 2 && Date.now() < deadline) await sleep(25);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const lines = readLines(out);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThan(transitions.length);
    const manifest = annotationManifestSchema.parse(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
    expect(manifest).toMatchObject({ complete: false, stopped: 'interrupted', counts: { items: lines.length, unasked: transitions.length - lines.length } });
  }, 120_000);

  it('refuses to write into a used directory without --resume, or to resume with another teacher or other prompts', async () => {
    const llm = await startLlm({ defaultReply: good });
    const out = join(tmp('annotate-refuse'), 'ann');
    const args = ['annotate', '--kind', 'reasoning', '--teacher', 'openai:teacher', '--teacher-base-url', llm.url, '--from', seeds, '--out', out];
    expect((await runCli(args)).code).toBe(0);
    const used = await runCli(args);
    expect(used.stderr).toContain(`error RUN_DIR_NOT_EMPTY: run directory ${out} is not empty`);
    const other = await runCli([...args.map((a) => (a === 'openai:teacher' ? 'openai:other' : a)), '--resume']);
    expect(other.stderr).toContain(`error CONFIG_INVALID: --resume: ${out} was annotated by teacher, not other (use another --out)`);
    const kind = await runCli([...args.map((a) => (a === 'reasoning' ? 'reflection' : a)), '--resume']);
    expect(kind.stderr).toContain(`error CONFIG_INVALID: --resume: ${out} holds reasoning annotations, not reflection`);
    const prompts = tmp('annotate-prompts');
    writeFileSync(join(prompts, 'reasoning-reask.md'), 'Wrong: {{reason}}. Again:\n{{answer_format}}\n');
    const changed = await runCli([...args, '--resume', '--prompt-dir', prompts]);
    expect(changed.stderr).toContain(`error CONFIG_INVALID: --resume: the prompt templates changed since ${out} was started (reasoning-reask.md); use another --out`);
    expect(chats(llm.requests)).toHaveLength(transitions.length);
    expect(readLines(out)).toHaveLength(transitions.length);
  }, 120_000);
});
