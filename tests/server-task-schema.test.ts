import { afterEach, describe, expect, it } from 'vitest';
import { createWebArenaProfile } from '../adapters/webarena/webarena-profile.js';
import { http, startDreamServer, type TestServer } from './helpers/server-client.js';

type Schema = { properties?: Record<string, unknown>; description?: string; anyOf?: Schema[] };

/** The reset request's task_id in /openapi.json. */
const taskIdOf = async (url: string): Promise<Schema> => {
  const doc = (await http(`${url}/openapi.json`)).body as { components: { schemas: { ResetRequest: { properties: Record<string, Schema> } } } };
  return doc.components.schemas.ResetRequest.properties['task_id']!;
};

/** Each site registers its task-id schema in its profile; the reset schema and /openapi.json are built from it. */
describe('task-id schemas from the site registry', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('WebShop: /openapi.json describes a goal index; a reset by goal index is accepted', async () => {
    t = await startDreamServer();
    expect(JSON.stringify(await taskIdOf(t.server.url))).toContain('WebShop goal index');
    expect(await http(`${t.server.url}/reset`, { body: { task_id: 1500, mode: 'dream' } })).toMatchObject({ status: 200 });
  });

  it('WebArena: /openapi.json describes a config id, and a task_id that is not one is refused naming the field', async () => {
    t = await startDreamServer({ profile: createWebArenaProfile() });
    expect(JSON.stringify(await taskIdOf(t.server.url))).toContain('WebArena task config id');
    const refused = await http(`${t.server.url}/reset`, { body: { task_id: 'shopping-45' } });
    expect(refused).toMatchObject({ status: 422, body: { code: 'VALIDATION_ERROR' } });
    expect(JSON.stringify(refused.body)).toContain('task_id');
    expect(JSON.stringify(refused.body)).toContain('a WebArena task_id is a non-negative integer');
  });
});
