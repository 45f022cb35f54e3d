import { describe, expect, it } from 'vitest';
import { codeOf } from '../src/env/code-of.js';
import { defaultMaxRealSessions } from '../src/server/default-max-real-sessions.js';
import { splitPathToken } from '../src/server/security.js';
import { SessionLimits } from '../src/server/session-limits.js';

const GiB = 2 ** 30;

describe('server limits and the token path', () => {
  it('defaults --max-real-sessions to min(4 × cores, (memory − 1 GiB) / 256 MiB), at least 1', () => {
    expect(defaultMaxRealSessions(2, 8 * GiB)).toBe(8);
    expect(defaultMaxRealSessions(64, 16 * GiB)).toBe(60);
    expect(defaultMaxRealSessions(8, 3 * GiB)).toBe(8);
    expect(defaultMaxRealSessions(1, GiB)).toBe(1);
  });

  it('refuses past each limit with CAPACITY_REACHED naming it, and frees slots on release', () => {
    const limits = new SessionLimits({ maxSessions: 2, maxRealSessions: 1 });
    limits.claimSession();
    limits.claimSession();
    let refused: unknown;
    try {
      limits.claimSession();
    } catch (error) {
      refused = error;
    }
    expect(codeOf(refused)).toBe('CAPACITY_REACHED');
    expect((refused as Error).message).toContain('--max-sessions 2');
    limits.claimReal();
    expect(() => limits.claimReal()).toThrow(/--max-real-sessions 1/);
    limits.releaseReal();
    limits.claimReal();
    limits.releaseSession();
    limits.claimSession();
    expect([limits.activeSessions, limits.realSessions]).toEqual([2, 1]);
  });

  it('splits /t/<token> off a URL (decoded), keeping the rest and the query', () => {
    expect(splitPathToken('/t/abc')).toEqual({ token: 'abc', url: '/' });
    expect(splitPathToken('/t/abc/')).toEqual({ token: 'abc', url: '/' });
    expect(splitPathToken('/t/abc/ws?access_token=x')).toEqual({ token: 'abc', url: '/ws?access_token=x' });
    expect(splitPathToken('/t/a%2Fb%2Bc/agentgym/create')).toEqual({ token: 'a/b+c', url: '/agentgym/create' });
    expect(splitPathToken('/t/abc?x=1')).toEqual({ token: 'abc', url: '/?x=1' });
    expect(splitPathToken('/t/%E0%A4%A/x')).toEqual({ token: '%E0%A4%A', url: '/x' });
    expect(splitPathToken('/t//reset')).toBeUndefined();
    expect(splitPathToken('/tokens/abc')).toBeUndefined();
    expect(splitPathToken('/reset')).toBeUndefined();
  });
});
