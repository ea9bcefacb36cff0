import { apiRoutes, createRouteServices } from '../../../src/http';
import type { ApiRoute } from '../../../src/http/route';
import { clearSeen } from '../http/support/conformance';
import { KEYS, startHarness, type Harness } from '../http/support/http-harness';

// test/unit/http/auth.test.ts covers, for every route of the table: no key, an unknown key, and each
// role's allowed and forbidden routes. This adds the ways a key can be presented wrongly.

let h: Harness;
let routes: ApiRoute[];
beforeAll(async () => {
  h = await startHarness({ projector: false });
  routes = apiRoutes(createRouteServices(h.deps));
});
afterAll(async () => {
  clearSeen();
  await h.close();
});

const samplePath = (route: ApiRoute) =>
  route.path.replace('{kind}', 'image').replace(/\{[^}]+\}/g, 'sample-1');

const PRESENTATIONS: [string, (path: string) => { path: string; headers: Record<string, string> }][] = [
  ['an empty Bearer', (path) => ({ path, headers: { authorization: 'Bearer ' } })],
  ['the scheme alone', (path) => ({ path, headers: { authorization: 'Bearer' } })],
  ['two tokens', (path) => ({ path, headers: { authorization: `Bearer ${KEYS.admin} ${KEYS.admin}` } })],
  ['no scheme', (path) => ({ path, headers: { authorization: KEYS.admin } })],
  [
    'Basic',
    (path) => ({
      path,
      headers: { authorization: `Basic ${Buffer.from(`x:${KEYS.admin}`).toString('base64')}` },
    }),
  ],
  [
    'a prefix of the key',
    (path) => ({ path, headers: { authorization: `Bearer ${KEYS.admin.slice(0, -1)}` } }),
  ],
  ['the key in X-API-Key', (path) => ({ path, headers: { 'x-api-key': KEYS.admin } })],
  ['the key in the query', (path) => ({ path: `${path}?api_key=${KEYS.admin}`, headers: {} })],
  ['the key with an operator', (path) => ({ path, headers: { authorization: 'Bearer {"$ne":null}' } })],
];

describe.each(PRESENTATIONS)('a key presented as %s', (_name, present) => {
  it('is refused with 401 UNAUTHENTICATED on every route, before the body is read', async () => {
    const head = await h.eventStore.headPosition();
    for (const route of routes) {
      const { path, headers } = present(samplePath(route));
      const writes = route.method === 'post' || route.method === 'patch';
      const answer = await h.call(route.method.toUpperCase(), path, {
        key: null,
        headers,
        ...(writes ? { rawBody: '{' } : {}),
      });

      expect([route.method, route.path, answer.status, answer.body.data?.error]).toEqual([
        route.method,
        route.path,
        401,
        'UNAUTHENTICATED',
      ]);
    }
    expect(await h.eventStore.headPosition()).toBe(head);
  });
});
