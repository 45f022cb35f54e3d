import type { OpenEnvPayload } from './openenv-payload.js';
import { openEnvPayload } from './openenv-payload.js';
import type { Session } from './session.js';
import type { SessionManager } from './session-manager.js';
import type { WireReset } from './wire-schemas.js';

/**
 * A reset over a stateless transport (HTTP /reset, the MCP `reset` tool): resets the session the
 * request names, or opens one. A session opened here whose first reset fails is closed at once, so
 * it never holds a capacity slot until reaped.
 */
export const resetHttpSession = async (manager: SessionManager, request: WireReset, key: string | undefined): Promise<{ session: Session; payload: OpenEnvPayload }> => {
  const existing = key === undefined ? undefined : manager.byKey(key);
  const session: Session = existing ?? manager.create('http');
  try {
    const reply = await session.reset(request, undefined);
    return { session, payload: openEnvPayload(reply, session.key) };
  } catch (error) {
    if (!existing) await manager.close(session, 'closed', 'its first reset failed');
    throw error;
  }
};
