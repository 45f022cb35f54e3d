import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { webArenaSite } from '../adapters/webarena/webarena-site-definition.js';
import { webShopSite } from '../adapters/webshop/webshop-site-definition.js';
import { createWebShopProfile } from '../adapters/webshop/webshop-profile.js';
import { executeRunPlan } from '../harness/run-plan/run-plan.js';
import type { RunPlanOptions } from '../harness/run-plan/run-plan-options.js';
import { DreamEnv } from '../src/dream/dream-env.js';
import type { Env } from '../src/env/env.js';
import { ConfigInvalidError } from '../src/env/errors.js';
import type { SiteDefinition, SiteFacts } from '../src/env/site-definition.js';
import type { Observation, SiteProfile, StepResult, Task } from '../src/protocol/index.js';
import { schemaDocument } from '../src/server/openapi.js';
import { runCli } from './helpers/cli.js';

const ITEM =
  'Instruction: [SEP] find a lamp [SEP] Back to Search [SEP] < Prev [SEP] Brass Desk Lamp [SEP] Price: $29.99 [SEP] Rating: N.A. [SEP] Description [SEP] Features [SEP] Reviews [SEP] Buy Now';

/** A third site written outside src/: a counter whose only page says how far it got. */
const counterProfile = (maxSteps: number): SiteProfile => {
  const availableActionsSchema = z.object({ buttons: z.array(z.string()) });
  const page = (n: number) => `Counter: ${n}`;
  return {
    env: 'counter',
    displayName: 'Counter',
    version: 'counter-profile/1',
    maxSteps,
    availableActionsSchema,
    pageType: () => 'counter',
    availableActions: () => ({ buttons: ['inc', 'reset'] }),
    parseAction: (raw) => (/^press\[(inc|reset)\]$/.test(raw) ? { ok: true, name: 'press', arg: raw.slice(6, -1), raw } : { ok: false, raw, reason: 'expected press[inc] or press[reset]' }),
    validateAction: (action) => (/^press\[(inc|reset)\]$/.test(action) ? { valid: true } : { valid: false, reason: 'expected press[inc] or press[reset]' }),
    actionChoices: () => ['press[inc]', 'press[inc]', 'press[inc]', 'press[reset]'],
    promptActions: () => 'press[inc]\npress[reset]',
    admissibleActions: () => ['press[inc]', 'press[reset]'],
    canonicalKey: (state) => ({ version: 'counter-key/1', key: state.text }),
    initialState: () => page(0),
    instructionText: (instruction) => instruction,
    prompts: { system: 'A counter.', stateFormat: 'Counter: N', policySite: 'a counter' },
    tasks: () => [{ task_id: 'reach-3', env: 'counter', instruction: 'reach 3' }],
  };
};

/** The counter's real env: in memory, done at 3. */
class CounterEnv implements Env {
  readonly source = 'real' as const;
  private n = 0;
  private steps = 0;
  constructor(private readonly maxSteps: number) {}
  private observation(error?: string): Observation {
    return { text: `Counter: ${this.n}`, instruction: 'reach 3', page_type: 'counter', available_actions: { buttons: ['inc', 'reset'] }, source: 'real', ...(error ? { last_action_error: error } : {}) };
  }
  reset(): Promise<Observation> {
    this.n = 0;
    this.steps = 0;
    return Promise.resolve(this.observation());
  }
  step(action: string): Promise<StepResult> {
    this.steps += 1;
    if (action === 'press[inc]') this.n += 1;
    else if (action === 'press[reset]') this.n = 0;
    const done = this.n >= 3;
    return Promise.resolve({ observation: this.observation(), reward: done ? 1 : 0, done, truncated: !done && this.steps >= this.maxSteps, info: { latency_ms: 0 } });
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const counterSite: SiteDefinition = {
  name: 'counter',
  displayName: 'Counter',
  defaults: { maxSteps: 12, policy: () => 'random', collectEpisodes: 'all', localIsolated: true },
  flags: [{ flags: '--counter-url <url>', description: 'where the counter is' }],
  locationHint: '--counter-url URL',
  hasRemote: (flags) => typeof flags['counterUrl'] === 'string',
  facts: () => {
    const task: Task = { task_id: 'reach-3', env: 'counter', instruction: 'reach 3' };
    const facts: SiteFacts = {
      tasks: {
        split: () => [task],
        byId: (id, flag) => {
          if (id !== task.task_id) throw new ConfigInvalidError(`${flag}: no counter task ${id}`);
          return task;
        },
      },
      manifest: { env: 'counter', profile_version: 'counter-profile/1' },
    };
    return Promise.resolve(facts);
  },
  profile: (_flags, _facts, maxSteps) => counterProfile(maxSteps),
  open: (options) =>
    Promise.resolve({
      factory: { source: 'real', create: () => Promise.resolve(new CounterEnv(options.profile.maxSteps)), close: () => Promise.resolve() },
      manifest: { env: 'counter', counter_url: String(options.flags['counterUrl']) },
      close: () => Promise.resolve(),
    }),
};

const planFor = (out: string, extra: Partial<RunPlanOptions> = {}): RunPlanOptions => ({
  command: 'run',
  site: counterSite,
  siteFlags: { counterUrl: 'memory:' },
  browser: {},
  seed: 3,
  schedule: 'real',
  onBudgetExhausted: 'stop',
  model: 'retrieval',
  embed: 'hashed',
  buffer: [],
  split: 'train',
  episodes: 4,
  group: 1,
  concurrency: 2,
  stepTimeout: 5_000,
  out,
  ...extra,
});

const silent = pino({ level: 'silent' });

describe('the site registry', () => {
  it('runs a site defined outside src/ through the one run plan: its name, tasks, profile and max steps in every line', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'dreambridge-counter-')), 'run');
    const outcome = await executeRunPlan(planFor(out, { realCap: 100 }), silent, new AbortController().signal);
    expect(outcome.result.episodes).toBe(4);
    const transitions = (await readFile(join(out, 'transitions.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { env: string; task_id: string; action: string });
    expect(new Set(transitions.map((t) => t.env))).toEqual(new Set(['counter']));
    expect(new Set(transitions.map((t) => t.task_id))).toEqual(new Set(['reach-3']));
    // The random policy picks among the profile's action choices only.
    expect(transitions.every((t) => t.action === 'press[inc]' || t.action === 'press[reset]')).toBe(true);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(manifest['site']).toMatchObject({ env: 'counter', counter_url: 'memory:', profile_version: 'counter-profile/1' });
    expect(manifest['options']).toMatchObject({ max_steps: 12 });
    expect(manifest['versions']).toMatchObject({ browser: null, playwright: expect.stringMatching(/^\d+\.\d+/) as unknown });
    expect(outcome.budget).toMatchObject({ used: transitions.length, cap: 100 });
  });

  it("refuses a real run without the site's location, naming the site's own flag", async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'dreambridge-counter-')), 'run');
    await expect(executeRunPlan(planFor(out, { siteFlags: {} }), silent, new AbortController().signal)).rejects.toThrow(/real Counter episodes need a site: give --counter-url URL/);
  });

  it('WebShop and WebArena keep their benchmark max steps in the profile dream and real share', async () => {
    const webshopFacts = await webShopSite.facts({});
    expect(webShopSite.profile({}, webshopFacts, webShopSite.defaults.maxSteps).maxSteps).toBe(15);
    const webarenaFacts = await webArenaSite.facts({});
    expect(webArenaSite.profile({}, webarenaFacts, webArenaSite.defaults.maxSteps).maxSteps).toBe(30);
  });

  it('--search-anywhere makes search valid in dream exactly where it is valid on the real site', async () => {
    const facts = await webShopSite.facts({});
    const anywhere = webShopSite.profile({ searchAnywhere: true }, facts, 15);
    const strict = webShopSite.profile({}, facts, 15);
    const onItem = strict.availableActions(ITEM);
    expect(anywhere.validateAction('search[desk lamp]', onItem).valid).toBe(true);
    expect(strict.validateAction('search[desk lamp]', onItem).valid).toBe(false);
    // A dreamed step on the item page: accepted (the model is asked) with the option, refused without it.
    const asked: string[] = [];
    const model = {
      name: 'scripted',
      kind: 'retrieval' as const,
      predict: (request: { action: string }) => (asked.push(request.action), Promise.resolve({ reasoning: '', next_state: ITEM, reward: 0, done: false, retrieved: [] })),
    };
    for (const [profile, accepted] of [[anywhere, true], [strict, false]] as const) {
      const env = new DreamEnv({ model, profile, initialState: () => ITEM });
      await env.reset({ task_id: '1500', env: 'webshop', instruction: 'find a lamp' });
      const step = await env.step('search[desk lamp]');
      expect(step.observation.last_action_error === undefined, `searchAnywhere ${String(accepted)}`).toBe(accepted);
    }
    expect(asked).toEqual(['search[desk lamp]']);
  });

  it("the server's /schema is built from the site's own available-actions schema", () => {
    const webshop = schemaDocument(createWebShopProfile().availableActionsSchema).observation as { properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(Object.keys(webshop.properties['available_actions']?.properties ?? {}).sort()).toEqual(['clickables', 'has_search_bar']);
    const counter = schemaDocument(counterProfile(12).availableActionsSchema).observation as { properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(Object.keys(counter.properties['available_actions']?.properties ?? {})).toEqual(['buttons']);
  });

  it("every command that reaches a site takes --env from the registry and every site's own flags", async () => {
    const help = await runCli(['run', '--help']);
    for (const flag of ['--url', '--goal-count', '--search-anywhere', '--observation', '--configs', '--sites', '--judge', '--fixture']) expect(help.stdout).toContain(flag);
    const collect = await runCli(['collect', '--help']);
    expect(collect.stdout).toContain('--strict-url');
    expect(help.stdout).not.toContain('--strict-url');
    const unknown = await runCli(['run', '--env', 'nosuchsite', '--schedule', 'real']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('error CONFIG_INVALID: --env nosuchsite: expected webshop or webarena\n');
  });
});
