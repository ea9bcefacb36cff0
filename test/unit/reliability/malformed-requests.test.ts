import fc from 'fast-check';
import { apiRoutes, createRouteServices } from '../../../src/http';
import { startHarness } from '../http/support/http-harness';
import { malformedRequests } from './support/malformed-requests';

describe('the malformed-request generator', () => {
  it('yields sendable requests (serialisable bodies, no shared state written) whatever the seed', async () => {
    // Given the route table of a running app
    const h = await startHarness();
    try {
      const routes = apiRoutes(createRouteServices(h.deps));
      const arbitrary = malformedRequests(routes, { adminKey: 'k', maxBodyBytes: 1024 * 1024 });

      // When many seeds draw requests, then none fails to build (a circular body throws while the
      // generator serialises it; a write into a frozen shared constant throws too)
      for (let seed = 1; seed <= 40; seed++) {
        const drawn = fc.sample(arbitrary, { seed, numRuns: 250 });
        expect(drawn).toHaveLength(250);
        for (const request of drawn) expect(typeof request.path).toBe('string');
      }
    } finally {
      await h.close();
    }
  }, 60_000);
});
