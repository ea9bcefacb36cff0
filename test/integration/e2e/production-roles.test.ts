import { startSimulator, type RunningSimulator } from '../../../src/simulator';
import { startDeployment, withProcessOutput, type Deployment } from './production-support/deployment';

/**
 * The production profile with one OS process per role (the compose file's shape), on the servers of
 * the integration set-up: each process starts, reports its dependencies on /readyz and stops
 * cleanly on SIGTERM.
 */
describe('production profile: one process per role', () => {
  const roles = [
    { name: 'api', role: 'api' },
    { name: 'worker', role: 'worker' },
    { name: 'projector', role: 'projector' },
    { name: 'relay', role: 'relay' },
  ] as const;
  let simulator: RunningSimulator | undefined;
  let deployment: Deployment | undefined;

  beforeAll(async () => {
    const brokers = process.env.KAFKA_BROKERS;
    if (!brokers) throw new Error('KAFKA_BROKERS is not set: run through the integration project');
    simulator = await startSimulator({ port: 0 });
    const jimeng = simulator.url;
    deployment = await startDeployment({
      label: 'e2e-roles',
      kafkaBrokers: brokers,
      jimengBaseUrl: () => jimeng,
      roles,
    });
  }, 120_000);

  afterAll(async () => {
    await deployment?.stop();
    await simulator?.stop();
  });

  it.each(roles.map(({ name }) => name))('%s answers /healthz', async (name) => {
    const service = deployment!.service(name);

    const answer = await fetch(`${service.url}/healthz`);

    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ code: 200, data: { status: 'ok' } });
  });

  it.each(roles.map(({ name }) => name))(
    '%s is ready only with MongoDB, EventStoreDB and Kafka all reachable',
    async (name) => {
      const service = deployment!.service(name);

      const answer = await fetch(`${service.url}/readyz`);

      expect(answer.status).toBe(200);
      const body = (await answer.json()) as {
        data: { status: string; checks: { name: string; ok: boolean }[] };
      };
      expect(body.data.status).toBe('ready');
      expect(Object.fromEntries(body.data.checks.map((check) => [check.name, check.ok]))).toEqual({
        mongodb: true,
        eventstoredb: true,
        kafka: true,
      });
    },
  );

  it('the api process serves /api/v1 with the configured keys', async () => {
    const api = deployment!.service('api');

    const answer = await fetch(`${api.url}/api/v1/accounts?page=1&pageSize=1`, {
      headers: { authorization: `Bearer ${deployment!.adminKey}` },
    });
    const refused = await fetch(`${api.url}/api/v1/accounts`, {
      headers: { authorization: 'Bearer not-a-configured-key-at-all' },
    });

    expect(answer.status).toBe(200);
    expect(refused.status).toBe(401);
  });

  it('every process exits with code 0 on SIGTERM', async () => {
    await withProcessOutput(deployment!, async () => {
      const exits = await Promise.all(
        deployment!.services.map(async (service) => {
          await service.stop({ signal: 'SIGTERM', timeoutMs: 20_000 });
          return [service.name, await service.exited] as const;
        }),
      );

      expect(Object.fromEntries(exits)).toEqual(
        Object.fromEntries(roles.map(({ name }) => [name, { code: 0, signal: null }])),
      );
    });
  }, 60_000);
});
