import { describe, expect, it } from 'vitest';
import type { Observation, Transition } from '../src/protocol/index.js';
import { actionKind, HashedEmbedder, ReplayBuffer, RetrievalIndex, sparseDot, toReplayTransition } from '../src/replay/index.js';

const observation = (text: string, url = 'http://shop/x'): Observation => ({
  text,
  instruction: 'buy something',
  url,
  available_actions: { has_search_bar: true, clickables: [] },
  source: 'real',
});

const transition = (step: number, text: string, action: string, url?: string): Transition => ({
  run_id: 'r',
  episode_id: 'e',
  task_id: '1',
  env: 'webshop',
  source: 'real',
  step,
  state: observation(text, url),
  action,
  next_state: observation(`after ${step}`),
  reward: 0,
  done: false,
  truncated: false,
  info: { latency_ms: 1 },
});

const corpus = [
  transition(0, 'results for red running shoes size 9 nike air zoom', 'click[b01 red running shoes]', 'http://shop/a'),
  transition(1, 'results for blue cotton t shirt large crew neck', 'click[b02 blue shirt]', 'http://shop/b'),
  transition(2, 'item page organic green tea 100 bags caffeine free', 'click[buy now]', 'http://shop/c'),
  transition(3, 'search page vegan nail polish nude beige six count', 'search[vegan nail polish]', 'http://shop/d'),
  transition(4, 'results for stainless steel water bottle 32 oz', 'click[b05 bottle]', 'http://shop/e'),
  transition(5, 'item page wireless noise cancelling headphones black', 'click[buy now]', 'http://shop/f'),
];

const build = (options: ConstructorParameters<typeof RetrievalIndex>[0] = {}) => {
  const buffer = new ReplayBuffer();
  buffer.appendAll(corpus.map((t) => toReplayTransition(t, 'offline')));
  const index = new RetrievalIndex(options);
  index.attach(buffer);
  return { buffer, index };
};

describe('RetrievalIndex', () => {
  it('returns the recorded transition itself on an exact canonical-key hit', () => {
    const { buffer, index } = build({ canonicalKey: (state, action) => `${state.url ?? ''} ${action}` });
    const results = index.retrieve({ state: observation('anything at all', 'http://shop/c'), action: 'click[buy now]' }, { k: 2 });
    expect(results[0]).toEqual({ id: 'r/e/2', similarity: 1, match: 'exact', transition: buffer.get('r/e/2') });
    expect(results[0]?.transition).toBe(buffer.get('r/e/2'));
    expect(results[1]?.match).toBe('nearest');
    expect(results[1]?.id).not.toBe('r/e/2');
  });

  it('ranks a near-duplicate state first among nearest neighbours', () => {
    const { index } = build();
    const results = index.retrieve({ state: observation('results for red running shoes size 10 nike air'), action: 'click[b01 red running shoes]' });
    expect(results[0]?.id).toBe('r/e/0');
    expect(results[0]?.match).toBe('nearest');
    expect(results[0]?.similarity).toBeGreaterThan(0.5);
    expect(results[0]?.similarity).toBeLessThan(1);
    for (let i = 1; i < results.length; i += 1) expect(results[i]?.similarity).toBeLessThanOrEqual(results[i - 1]?.similarity ?? 1);
  });

  it('filters by action kind', () => {
    expect(actionKind('click[Buy Now]')).toBe('click');
    expect(actionKind('search[x]')).toBe('search');
    const { index } = build();
    const query = { state: observation('results for red vegan running shoes'), action: 'click[b01]' };
    expect(index.retrieve(query)[0]?.id).toBe('r/e/0');
    expect(index.retrieve(query, { k: 4, actionKind: 'search' }).map((r) => r.id)).toEqual(['r/e/3']);
    expect(index.retrieve(query, { k: 4, actionKind: 'click' }).map((r) => r.transition.action.startsWith('click['))).not.toContain(false);
  });

  it('follows buffer evictions', () => {
    const buffer = new ReplayBuffer({ maxSize: 2 });
    const index = new RetrievalIndex();
    index.attach(buffer);
    buffer.appendAll(corpus.map((t) => toReplayTransition(t, 'dream')));
    expect(index.size).toBe(2);
    const ids = index.retrieve({ state: observation('red running shoes'), action: 'click[b01 red running shoes]' }, { k: 4 }).map((r) => r.id);
    expect(ids).not.toContain('r/e/0');
  });

  it('updates the IDF as the buffer grows', () => {
    const embedder = new HashedEmbedder();
    const buffer = new ReplayBuffer();
    const index = new RetrievalIndex({ embedder });
    index.attach(buffer);
    buffer.append(toReplayTransition(corpus[0] as Transition, 'real'));
    const shoes = embedder.bucketOf('shoes');
    const before = embedder.idf(shoes);
    const vectorBefore = embedder.embedSync('red running shoes');
    buffer.appendAll(corpus.slice(1).map((t) => toReplayTransition(t, 'real')));
    expect(embedder.documentCount).toBe(6);
    expect(embedder.idf(shoes)).toBeGreaterThan(before);
    const more = Array.from({ length: 10 }, (_, i) => transition(10 + i, `more shoes ${i}`, `click[shoes ${i}]`));
    buffer.appendAll(more.map((t) => toReplayTransition(t, 'real')));
    expect(embedder.documentFrequency(shoes)).toBe(11);
    const vectorAfter = embedder.embedSync('red running shoes');
    expect(sparseDot(vectorAfter, vectorAfter)).toBeCloseTo(1, 5);
    expect(vectorAfter.values).not.toEqual(vectorBefore.values);
    // Stored vectors are re-embedded once the corpus doubles: results stay exact cosines of current embeddings.
    const [top] = index.retrieve({ state: observation('results for red running shoes size 9 nike air zoom'), action: 'click[b01 red running shoes]' });
    expect(top?.id).toBe('r/e/0');
    expect(top?.similarity).toBeCloseTo(1, 5);
  });
});
