import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFerretDb, type FerretDbServer } from '../../infra/ferretdb';
import { freePort } from '../../infra/ports';
import { waitFor } from '../../support/wait-for';
import { startService, waitUntilReady, type ServiceProcess } from './production-support/service-process';

function required(name: 'ESDB_URL' | 'KAFKA_BROKERS' | 'MONGO_URL'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through the integration project (its global set-up)`);
  return value;
}

/**
 * In a deployment, processes and servers come up in any order (compose starts them together; a
 * broker restarts under running workers): a process started before its servers waits for them
 * instead of exiting.
 */
describe('production profile: a process started before its servers', () => {
  const logDir = mkdtempSync(join(tmpdir(), 'start-order-'));
  const services: ServiceProcess[] = [];
  let ferret: FerretDbServer | undefined;

  const start = async (name: string, env: Record<string, string>) => {
    const service = startService({
      name,
      role: 'projector',
      port: await freePort(),
      logDir,
      env: {
        PROFILE: 'production',
        ESDB_URL: required('ESDB_URL'),
        KAFKA_BROKERS: required('KAFKA_BROKERS'),
        MONGO_URL: required('MONGO_URL'),
        MONGO_DB: `start_order_${randomBytes(4).toString('hex')}`,
        API_KEYS: `admin-${randomBytes(18).toString('base64url')}:admin`,
        SECRET_KEYS: `k1:${randomBytes(32).toString('base64')}`,
        CALLBACK_SECRET: randomBytes(24).toString('base64url'),
        DATA_DIR: join(logDir, `${name}-data`),
        LOG_LEVEL: 'warn',
        ...env,
      },
    });
    services.push(service);
    return service;
  };
  const retriesLogged = (service: ServiceProcess) =>
    service.logTail(100_000).split('a server is not reachable yet; starting again').length - 1;

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop({ timeoutMs: 10_000 })));
    await ferret?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('waits for MongoDB and becomes ready once it is up', async () => {
    // Given a MongoDB-wire server that is down
    ferret = await startFerretDb();
    await ferret.halt();

    // When a process starts, it keeps trying (and says so) instead of exiting
    const service = await start('before-mongo', { MONGO_URL: ferret.url });
    await waitFor(() => retriesLogged(service) >= 1, {
      timeoutMs: 60_000,
      message: 'a start retry logged',
    });
    expect(service.exitDescription()).toBeUndefined();

    // Then, once the server is up, the process is ready without a restart
    await ferret.resume();
    await waitUntilReady(service, 60_000);
  }, 150_000);

  it('waits for Kafka and exits 0 when told to stop while waiting', async () => {
    // Given no broker at the configured address
    const nobody = `127.0.0.1:${await freePort()}`;

    // When a process starts, it keeps trying instead of exiting
    const service = await start('before-kafka', { KAFKA_BROKERS: nobody });
    await waitFor(() => retriesLogged(service) >= 2, {
      timeoutMs: 90_000,
      message: 'two start retries logged',
    });
    expect(service.exitDescription()).toBeUndefined();

    // Then SIGTERM still stops it cleanly
    await service.stop({ timeoutMs: 10_000 });
    expect(service.exitDescription()).toMatch(/code 0/);
  }, 150_000);
});
