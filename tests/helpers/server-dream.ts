import { createWebShopProfile } from '../../adapters/webshop/webshop-profile.js';
import { DreamEnv } from '../../src/dream/dream-env.js';
import type { ExperienceModel, ExperienceRequest } from '../../src/dream/experience-model.js';
import type { EnvFactory } from '../../src/env/env.js';
import type { SiteProfile, Task } from '../../src/protocol/index.js';

export const searchPage = (instruction: string): string => `WebShop [SEP] Instruction: [SEP] ${instruction} [SEP] Search`;
export const resultsPage = (instruction: string): string =>
  `Instruction: [SEP] ${instruction} [SEP] Back to Search [SEP] Page 1 (Total results: 50) [SEP] Next > [SEP] B0ABCDEFGH [SEP] Brass Desk Lamp [SEP] $29.99 [SEP] B0ZYXWVUTS [SEP] Floor Lamp [SEP] $59.99`;
export const itemPage = (instruction: string): string =>
  `Instruction: [SEP] ${instruction} [SEP] Back to Search [SEP] < Prev [SEP] Brass Desk Lamp [SEP] Price: $29.99 [SEP] Rating: N.A. [SEP] Description [SEP] Features [SEP] Reviews [SEP] Buy Now`;
export const DONE_PAGE = 'Thank you for shopping with us! [SEP] Your score (min 0.0, max 1.0) [SEP] 1.0';

/**
 * A zero-latency experience model that plays a tiny WebShop (search → results → item → buy),
 * deterministic, so dream sessions over the server can be checked step by step and timed without
 * a model's cost. `delayMs` makes every prediction take that long (to test in-flight closes).
 */
export const createToyWebShopModel = (options: { delayMs?: number } = {}): ExperienceModel & { calls: number } => {
  const model = {
    name: 'toy-webshop',
    kind: 'retrieval' as const,
    calls: 0,
    async predict(request: ExperienceRequest, timeout?: { signal?: AbortSignal }) {
      model.calls += 1;
      if (options.delayMs) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, options.delayMs);
          timeout?.signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new Error('aborted'));
          }, { once: true });
        });
      }
      const { action, instruction } = request;
      const page = request.state.page_type;
      const answer = (next_state: string, reward = 0, done = false) => ({ reasoning: 'toy', next_state, reward, done, retrieved: ['toy-1'] });
      if (action.startsWith('search[')) return answer(resultsPage(instruction));
      if (action === 'click[back to search]') return answer(searchPage(instruction));
      if (page === 'results' && /^click\[b0/i.test(action)) return answer(itemPage(instruction));
      if (page === 'item' && action === 'click[buy now]') return answer(DONE_PAGE, 1, true);
      return answer(request.state.text);
    },
  };
  return model;
};

export const DREAM_TASKS: Task[] = [
  { task_id: '1500', env: 'webshop', split: 'train', instruction: 'find a brass desk lamp under 40 dollars' },
  { task_id: '1501', env: 'webshop', split: 'train', instruction: 'find a floor lamp under 70 dollars' },
  { task_id: '1502', env: 'webshop', split: 'train', instruction: 'find a lamp with a warm light' },
];

/** Dream envs over a model and the WebShop profile (what createDreamSetup builds for the CLI). */
export const createDreamFactory = (model: ExperienceModel, options: { maxSteps?: number; profile?: SiteProfile } = {}): EnvFactory & { created: number } => {
  const profile = options.profile ?? createWebShopProfile();
  const factory = {
    source: 'dream' as const,
    created: 0,
    create: () => {
      factory.created += 1;
      return Promise.resolve(new DreamEnv({ model, profile, maxSteps: options.maxSteps ?? 15 }));
    },
    close: () => Promise.resolve(),
  };
  return factory;
};

/** The toy episode as recorded transitions (JSONL lines), a buffer for the retrieval model. */
export const toyTransitionLines = (task: Task): string => {
  const profile = createWebShopProfile();
  const instruction = task.instruction ?? '';
  const observe = (text: string) => {
    const pageType = profile.pageType(text);
    return { text, instruction, ...(pageType === undefined ? {} : { page_type: pageType }), available_actions: profile.availableActions(text), source: 'real' as const };
  };
  const pages = [searchPage(instruction), resultsPage(instruction), itemPage(instruction), DONE_PAGE];
  const actions = ['search[brass desk lamp]', 'click[b0abcdefgh]', 'click[buy now]'];
  return actions
    .map((action, step) =>
      JSON.stringify({
        run_id: 'seed', episode_id: `seed-${task.task_id}`, task_id: task.task_id, env: 'webshop', source: 'real', step,
        state: observe(pages[step]!), action, next_state: observe(pages[step + 1]!),
        reward: step === 2 ? 1 : 0, done: step === 2, truncated: false, info: { latency_ms: 1 },
      }),
    )
    .join('\n') + '\n';
};
