import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Container } from 'inversify';
import type { Registry } from 'prom-client';
import { loadApiKeys } from '../config/api-keys';
import { loadCallbackSecret } from '../config/callback-secret';
import type { Config } from '../config/config';
import { loadSecretKeys } from '../config/secret-keys';
import { applicationModule } from '../container/application-module';
import { embeddedModule } from '../container/embedded-module';
import { Lifecycle } from '../container/lifecycle';
import { productionModule } from '../container/production-module';
import type { ReadinessCheck } from '../container/readiness';
import { TOKENS } from '../container/tokens';
import { createHttpApp } from '../http/app';
import { JIMENG_GATEWAY, type JimengGateway } from '../jimeng/gateway';
import { createMetrics, type Metrics } from '../observability/metrics';
import { ACCOUNT_LEASES, type AccountLeases } from '../ports/account-leases';
import { CLOCK, type Clock } from '../ports/clock';
import { EVENT_STORE, type EventStore } from '../ports/event-store';
import { ID_GENERATOR, type IdGenerator } from '../ports/id-generator';
import { IDEMPOTENCY_STORE, type IdempotencyStore } from '../ports/idempotency-store';
import { LOCKS, type Locks } from '../ports/locks';
import { MESSAGE_BUS, type MessageBus } from '../ports/message-bus';
import { READ_MODEL_STORE, type ReadModelStore } from '../ports/read-models';
import { SECRET_BOX, type SecretBox } from '../ports/secret-box';
import { Projector } from '../projections/projector';
import { CallbackDispatcher } from '../workers/callbacks/callback-dispatcher';
import { parseAllowedHosts } from '../workers/callbacks/callback-url-policy';
import { GenerationWorker } from '../workers/generation/generation-worker';
import { QuotaScheduler } from '../workers/quota/quota-scheduler';
import { EventRelay } from '../workers/relay/event-relay';
import { resolveJimengEndpoint } from './jimeng-endpoint';
import { createLogger, type Logger } from './logger';

export type Role = 'api' | 'worker' | 'projector' | 'relay';

export interface RunningRuntime {
  config: Config;
  /** The HTTP port actually bound (PORT=0 picks a free one). */
  port: number;
  jimengBaseUrl: string;
  container: Container;
  logger: Logger;
  stop(options?: { graceMs?: number }): Promise<void>;
}

export interface StartRuntimeOptions {
  logger?: Logger;
  /** Where the generated admin key is told on first start (default: stderr). */
  announceApiKey?: (key: string, file: string) => void;
  /**
   * Told when the process cannot go on and should be restarted (e.g. a MongoDB client that does not
   * recover); `main` exits so the supervisor starts it again. Default: only logged.
   */
  onFatal?: (reason: string) => void;
}

const hasRole = (config: Config, role: Role) => config.ROLE.includes('all') || config.ROLE.includes(role);

/**
 * Builds the container of the configured profile and starts the roles of this process. Every
 * role serves /healthz, /readyz and /metrics on PORT; the api role also serves /api/v1 and the docs.
 */
export async function startRuntime(
  config: Config,
  options: StartRuntimeOptions = {},
): Promise<RunningRuntime> {
  const logger =
    options.logger ??
    createLogger(config.LOG_LEVEL, { profile: config.PROFILE, role: config.ROLE.join(',') });
  const lifecycle = new Lifecycle(logger);
  const embedded = config.PROFILE === 'embedded';
  const stoppers: { name: string; stop: () => Promise<void> }[] = [];

  try {
    // DATA_DIR holds the whole embedded state and its generated secrets: owner only.
    if (embedded) mkdirSync(config.DATA_DIR, { recursive: true, mode: 0o700 });
    const apiKeys = loadApiKeys({
      apiKeys: config.API_KEYS,
      dataDir: config.DATA_DIR,
      createIfMissing: embedded,
      onCreated: (key, file) => (options.announceApiKey ?? announceOnStderr)(key.key, file),
    });
    const secretKeys = loadSecretKeys({
      secretKeys: config.SECRET_KEYS,
      dataDir: config.DATA_DIR,
      createIfMissing: embedded,
    });
    const jimengBaseUrl = await resolveJimengEndpoint(config, lifecycle, logger);

    const container = new Container();
    await container.load(
      applicationModule({ config, logger, lifecycle, apiKeys, secretKeys, jimengBaseUrl }),
      embedded
        ? embeddedModule(config, lifecycle, logger)
        : await productionModule(config, lifecycle, logger, options.onFatal ?? (() => undefined)),
    );

    const eventStore = container.get<EventStore>(EVENT_STORE);
    const bus = container.get<MessageBus>(MESSAGE_BUS);
    const readModels = container.get<ReadModelStore>(READ_MODEL_STORE);
    const clock = container.get<Clock>(CLOCK);
    const registry = container.get<Registry>(TOKENS.MetricsRegistry);

    let projector: Projector | undefined;
    const metrics: Metrics = createMetrics(registry, {
      records: readModels,
      accounts: readModels,
      clock,
      projectorLag: async () => {
        const head = await eventStore.headPosition();
        const checkpoint = projector?.position ?? (await readModels.getCheckpoint('read-models'));
        return [{ projector: 'read-models', lag: head === null ? 0 : Number(head - (checkpoint ?? 0n)) }];
      },
      onCollectError: (metric, error) => logger.warn({ err: error, metric }, 'metric source failed'),
    });

    if (hasRole(config, 'projector')) {
      projector = new Projector(eventStore, readModels, clock, logger, {
        // Production may run several projector processes: one writes, the others stand by.
        ...(embedded
          ? {}
          : {
              lock: {
                locks: container.get<Locks>(LOCKS),
                owner: `projector-${randomUUID()}`,
                ttlMs: config.RELAY_LOCK_TTL_MS,
              },
            }),
      });
      await projector.start();
      const running = projector;
      stoppers.push({ name: 'projector', stop: () => running.stop() });
    }
    if (hasRole(config, 'relay')) {
      const relay = new EventRelay(eventStore, bus, readModels, container.get<Locks>(LOCKS), clock, logger, {
        lockTtlMs: config.RELAY_LOCK_TTL_MS,
      });
      relay.start();
      stoppers.push({ name: 'relay', stop: () => relay.stop() });
    }
    let worker: GenerationWorker | undefined;
    if (hasRole(config, 'worker')) {
      worker = new GenerationWorker(
        {
          eventStore,
          bus,
          leases: container.get<AccountLeases>(ACCOUNT_LEASES),
          accounts: readModels,
          gateway: container.get<JimengGateway>(JIMENG_GATEWAY),
          secretBox: container.get<SecretBox>(SECRET_BOX),
          logger,
          clock,
          observer: { onSwitch: (type, reason, kind) => metrics.countSwitch(kind, type, reason) },
        },
        {
          deadlines: { image: config.IMAGE_DEADLINE_MS, video: config.VIDEO_DEADLINE_MS },
          leaseTtlMs: config.LEASE_TTL_MS,
          reaperIntervalMs: Math.max(500, Math.floor(config.LEASE_TTL_MS / 6)),
        },
      );
      await worker.start();
      const callbacks = new CallbackDispatcher(eventStore, bus, clock, logger, {
        secret: loadCallbackSecret({
          callbackSecret: config.CALLBACK_SECRET,
          dataDir: config.DATA_DIR,
          createIfMissing: embedded,
        }),
        allowedHosts: parseAllowedHosts(config.CALLBACK_ALLOWED_HOSTS),
      });
      await callbacks.start();
      const quota = new QuotaScheduler(eventStore, readModels, clock, logger);
      quota.start();
      stoppers.push({ name: 'quota scheduler', stop: () => quota.stop() });
      stoppers.push({ name: 'callbacks', stop: () => callbacks.stop() });
    }

    const readiness = container.get<ReadinessCheck[]>(TOKENS.ReadinessChecks);
    const running = projector;
    const app = createHttpApp({
      eventStore,
      readModels,
      idempotency: container.get<IdempotencyStore>(IDEMPOTENCY_STORE),
      secretBox: container.get<SecretBox>(SECRET_BOX),
      ids: container.get<IdGenerator>(ID_GENERATOR),
      clock,
      logger,
      apiKeys,
      serveApi: hasRole(config, 'api'),
      access: { metricsPublic: config.METRICS_PUBLIC, docsPublic: config.DOCS_PUBLIC },
      readiness,
      metrics,
      ...(running
        ? {
            waitForProjection: async (position: bigint) =>
              void (await running.waitForPosition(position, 2_000)),
          }
        : {}),
    });
    const server: Server = app.listen(config.PORT, config.HOST);
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    logger.info({ port, profile: config.PROFILE, roles: config.ROLE }, 'jimeng-orchestrator is up');

    let stopped: Promise<void> | undefined;
    const stop = (stopOptions: { graceMs?: number } = {}) =>
      (stopped ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        // The worker first: it hands its running attempts back before the bus and store close.
        if (worker) await worker.stop({ graceMs: stopOptions.graceMs ?? 10_000 });
        for (const { name, stop: stopOne } of stoppers.reverse()) {
          try {
            await stopOne();
          } catch (error) {
            logger.error({ err: error, component: name }, 'stopping failed');
          }
        }
        await lifecycle.closeAll();
        logger.info('jimeng-orchestrator stopped');
      })());

    return { config, port, jimengBaseUrl, container, logger, stop };
  } catch (error) {
    for (const { stop } of stoppers.reverse()) await stop().catch(() => undefined);
    await lifecycle.closeAll();
    throw error;
  }
}

function announceOnStderr(key: string, file: string): void {
  // Told once, on the terminal rather than in the JSON log, so log shipping never carries it.
  process.stderr.write(
    `\nGenerated an admin API key (stored in ${file}; shown only now):\n\n    ${key}\n\n` +
      `Use it as "Authorization: Bearer <key>". Set API_KEYS=secret:role,... to manage keys yourself.\n\n`,
  );
}
