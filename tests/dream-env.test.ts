import { describe, expect, it } from 'vitest';
import { createWebShopProfile } from '../adapters/webshop/webshop-profile.js';
import { DreamEnv } from '../src/dream/dream-env.js';
import type { ExperienceModel, ExperienceRequest } from '../src/dream/experience-model.js';

const RESULTS =
  'Instruction: [SEP] find a lamp [SEP] Back to Search [SEP] Page 1 (Total results: 50) [SEP] Next > [SEP] B0ABCDEFGH [SEP] Brass Desk Lamp [SEP] $29.99 [SEP] B0ZYXWVUTS [SEP] Floor Lamp [SEP] $59.99';

/** A scripted experience model that records what it was asked (a test double for DreamEnv's own logic). */
const scripted = (answers: Array<{ next_state: string; reward?: number; done?: boolean }>): ExperienceModel & { requests: ExperienceRequest[] } => {
  const requests: ExperienceRequest[] = [];
  return {
    name: 'scripted',
    kind: 'retrieval',
    requests,
    predict(request) {
      requests.push(request);
      const answer = answers[requests.length - 1];
      if (!answer) throw new Error('no more scripted answers');
      return Promise.resolve({ reasoning: 'scripted', next_state: answer.next_state, reward: answer.reward ?? 0, done: answer.done ?? false, retrieved: [`t${requests.length}`] });
    },
  };
};

describe('DreamEnv', () => {
  it('speaks the real format: profile-parsed page type and available actions, source dream', async () => {
    const model = scripted([{ next_state: RESULTS }, { next_state: 'Thank you for shopping with us! [SEP] Your score (min 0.0, max 1.0) [SEP] 1.0', reward: 1, done: true }]);
    const env = new DreamEnv({ model, profile: createWebShopProfile() });
    const first = await env.reset({ task_id: '1500', env: 'webshop', instruction: 'find a lamp' });
    expect(first).toEqual({
      text: 'WebShop [SEP] Instruction: [SEP] find a lamp [SEP] Search',
      instruction: 'find a lamp',
      page_type: 'search',
      available_actions: { has_search_bar: true, clickables: ['search'] },
      source: 'dream',
    });
    const step = await env.step('search[desk lamp]');
    expect(step.observation.page_type).toBe('results');
    expect(step.observation.available_actions).toEqual({ has_search_bar: false, clickables: ['back to search', 'next >', 'b0abcdefgh', 'b0zyxwvuts'] });
    expect(step.info.retrieved).toEqual(['t1']);
    expect(model.requests[0]).toMatchObject({ action: 'search[desk lamp]', instruction: 'find a lamp', history: [] });
    const done = await env.step('click[b0abcdefgh]');
    expect(done).toMatchObject({ reward: 1, done: true, truncated: false });
    expect(model.requests[1]!.history.map((h) => h.action)).toEqual(['search[desk lamp]']);
  });

  it('rejects invalid actions without a model call, and truncates at max_steps', async () => {
    const model = scripted([]);
    const env = new DreamEnv({ model, profile: createWebShopProfile(), maxSteps: 2 });
    await env.reset({ task_id: '1', env: 'webshop', instruction: 'x' });
    const bad = await env.step('click[nothing]');
    expect(bad.observation.last_action_error).toMatch(/^INVALID_ACTION: /);
    expect(bad.info.retrieved).toEqual([]);
    expect(model.requests).toHaveLength(0);
    expect((await env.step('click[nothing]')).truncated).toBe(true);
  });

  it('starts from a recorded first state when the buffer has one', async () => {
    const env = new DreamEnv({ model: scripted([]), profile: createWebShopProfile(), initialState: () => RESULTS });
    expect((await env.reset({ task_id: '7', env: 'webshop', instruction: 'find a lamp' })).page_type).toBe('results');
  });
});
