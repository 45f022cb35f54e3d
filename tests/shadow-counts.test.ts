import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startScriptedLlmServer } from '../fixtures/llm/scripted-llm-server.js';
import { replyForPreset } from '../fixtures/llm/webshop-replies.js';
import { runCli } from './helpers/cli.js';

const jsonl = (file: string): Array<Record<string, unknown>> =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** pino's JSON lines on stderr (other lines skipped). */
const logLines = (stderr: string): Array<Record<string, unknown>> =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('shadow predictions that fail are never silent', () => {
  it('counts them in the run summary, manifest.json and fidelity.json, and logs them', async () => {
    // The experience model's endpoint refuses its first 3 requests (400: not retried), then answers.
    // A step's K = 2 samples are one request (`n` = 2). The first is refused; its samples are then
    // asked one by one (an endpoint may refuse `n` itself), and both are refused too: 2 failed.
    const llm = await startScriptedLlmServer({ defaultReply: replyForPreset('webshop'), rules: [{ status: 400, times: 3 }] });
    try {
      const out = join(mkdtempSync(join(tmpdir(), 'dreambridge-shadow-counts-')), 'run');
      const result = await runCli([
        'run', '--env', 'webshop', '--fixture', '--schedule', 'real', '--episodes', '2', '--max-steps', '4', '--shadow', '2',
        '--model', 'openai:scripted', '--model-base-url', llm.url, '--out', out,
      ]);
      expect(result.code, result.stderr).toBe(0);
      const realSteps = jsonl(join(out, 'transitions.jsonl')).length;
      const lines = jsonl(join(out, 'shadow.jsonl'));
      expect(lines).toHaveLength(realSteps);
      const failedInLines = lines.reduce((n, l) => n + (l['failed'] as number), 0);
      expect(failedInLines).toBe(2);
      const chat = llm.requests.filter((r) => r.route === 'chat');
      expect(chat.map((r) => (r.body as { n?: number }).n)).toEqual([2, undefined, undefined, ...Array.from({ length: realSteps - 1 }, () => 2)]);
      const counts = { k: 2, requested: realSteps, written: realSteps, failed: 2, dropped: 0, real_step_failed: 0, lost: 0 };
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { shadow: unknown };
      expect(manifest.shadow).toEqual(counts);
      const fidelity = JSON.parse(readFileSync(join(out, 'fidelity.json'), 'utf8')) as { shadow: unknown };
      expect(fidelity.shadow).toEqual(counts);
      expect(result.stdout).toContain(`shadow: ${realSteps} real steps × K 2: ${realSteps} lines written, 2 of ${2 * realSteps} predictions failed, 0 lines dropped`);
      // Logged on stderr (pino, warn): one line per step with failures, and the run's total.
      const logs = logLines(result.stderr);
      const perStep = logs.filter((l) => /shadow predictions failed$/.test(String(l['msg'])));
      expect(perStep.reduce((n, l) => n + (l['failed'] as number), 0)).toBe(2);
      for (const l of perStep) expect(l).toMatchObject({ level: 40, k: 2, errors: expect.arrayContaining([expect.stringMatching(/^MODEL_REQUEST_FAILED/)]) });
      expect(logs.filter((l) => l['msg'] === 'shadow: 2 predictions failed, 0 lines dropped (counted in manifest.json and fidelity.json)')).toHaveLength(1);
      // `report` rebuilds fidelity.json from shadow.jsonl and keeps the counts (from the manifest).
      const report = await runCli(['report', out]);
      expect(report.code, report.stderr).toBe(0);
      expect((JSON.parse(readFileSync(join(out, 'fidelity.json'), 'utf8')) as { shadow: unknown }).shadow).toEqual(counts);
    } finally {
      await llm.close();
    }
  }, 120_000);
});
