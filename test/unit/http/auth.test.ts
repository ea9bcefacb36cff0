import { apiRoutes, createRouteServices } from '../../../src/http';
import { ROLES, type ApiRoute, type Role } from '../../../src/http/route';
import { itConformsToTheOpenApiDocument } from './support/conformance';
import { KEYS, startHarness, type Harness } from './support/http-harness';

let h: Harness;
let routes: ApiRoute[];
beforeAll(async () => {
  h = await startHarness({ projector: false });
  routes = apiRoutes(createRouteServices(h.deps));
});
afterAll(async () => {
  await h.close();
});

const samplePath = (route: ApiRoute) =>
  route.path.replace('{kind}', 'image').replace(/\{[^}]+\}/g, 'sample-1');

function call(route: ApiRoute, key: string | null) {
  const writes = route.method === 'post' || route.method === 'patch';
  return h.call(route.method.toUpperCase(), samplePath(route), { key, ...(writes ? { body: {} } : {}) });
}

const allowed = (route: ApiRoute, role: Role) => role === 'admin' || route.roles.includes(role);

describe('every /api/v1 route of the route table', () => {
  it('has a route table covering accounts, images, videos and audit', () => {
    expect(routes.map((r) => `${r.method.toUpperCase()} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/accounts',
        'PATCH /api/v1/accounts',
        'GET /api/v1/accounts',
        'GET /api/v1/accounts/{id}',
        'DELETE /api/v1/accounts/{id}',
        'POST /api/v1/images/text-to-image',
        'POST /api/v1/images/image-to-image',
        'POST /api/v1/images/regenerate',
        'GET /api/v1/images/records',
        'GET /api/v1/images/records/{id}',
        'DELETE /api/v1/images/records/{id}',
        'POST /api/v1/videos/generations',
        'POST /api/v1/videos/regenerate',
        'GET /api/v1/videos/records',
        'GET /api/v1/videos/records/{id}',
        'DELETE /api/v1/videos/records/{id}',
        'GET /api/v1/audit/storyboards/{kind}/{projectId}/{storyboardId}/events',
      ]),
    );
  });

  it('refuses a missing key with 401 UNAUTHENTICATED', async () => {
    for (const route of routes) {
      const answer = await call(route, null);
      expect([route.path, answer.status, answer.body.data.error]).toEqual([
        route.path,
        401,
        'UNAUTHENTICATED',
      ]);
      expect(answer.headers.get('www-authenticate')).toContain('Bearer');
    }
  });

  it('refuses an unknown key with 401 UNAUTHENTICATED', async () => {
    for (const route of routes) {
      const answer = await call(route, `${KEYS.admin}x`);
      expect([route.path, answer.status, answer.body.data.error]).toEqual([
        route.path,
        401,
        'UNAUTHENTICATED',
      ]);
    }
  });

  it.each(ROLES)(
    'lets role %s call exactly the routes its role allows (403 FORBIDDEN otherwise)',
    async (role) => {
      for (const route of routes) {
        const answer = await call(route, KEYS[role]);
        if (allowed(route, role)) {
          expect([route.method, route.path, answer.status]).not.toEqual([route.method, route.path, 401]);
          expect([route.method, route.path, answer.status]).not.toEqual([route.method, route.path, 403]);
        } else {
          expect([route.method, route.path, answer.status, answer.body.data.error]).toEqual([
            route.method,
            route.path,
            403,
            'FORBIDDEN',
          ]);
        }
      }
    },
  );

  it('gives the viewer queries and audit only, the service no accounts', () => {
    const viewer = routes.filter((r) => allowed(r, 'viewer')).map((r) => r.method);
    const service = routes.filter((r) => allowed(r, 'service')).map((r) => r.path);
    expect(new Set(viewer)).toEqual(new Set(['get']));
    expect(service.some((path) => path.startsWith('/api/v1/accounts'))).toBe(false);
  });

  it('accepts the scheme name in any case but nothing other than Bearer', async () => {
    const lower = await h.call('GET', '/api/v1/images/records', {
      headers: { authorization: `bearer ${KEYS.viewer}` },
    });
    const basic = await h.call('GET', '/api/v1/images/records', {
      headers: { authorization: `Basic ${KEYS.viewer}` },
    });

    expect(lower.status).toBe(200);
    expect(basic.status).toBe(401);
  });
});

itConformsToTheOpenApiDocument(async () => (await h.call('GET', '/openapi.json')).body);
