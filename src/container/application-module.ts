import { hostname } from 'node:os';
import { createHash } from 'node:crypto';
import { ContainerModule } from 'inversify';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { SnowflakeIdGenerator } from '../adapters/id-generator/snowflake-id-generator';
import { AesGcmSecretBox } from '../adapters/secret-box/aes-gcm-secret-box';
import type { ApiKey } from '../config/api-keys';
import type { Config } from '../config/config';
import { HttpJimengGateway } from '../jimeng/http-gateway';
import { JIMENG_GATEWAY } from '../jimeng/gateway';
import { createMetrics } from '../observability/metrics';
import { CLOCK, systemClock } from '../ports/clock';
import { ID_GENERATOR } from '../ports/id-generator';
import { SECRET_BOX } from '../ports/secret-box';
import type { SecretKey } from '../adapters/secret-box/aes-gcm-secret-box';
import type { Lifecycle } from './lifecycle';
import { TOKENS } from './tokens';

export interface ApplicationSettings {
  config: Config;
  logger: Logger;
  lifecycle: Lifecycle;
  apiKeys: ApiKey[];
  secretKeys: { primary: SecretKey; others: SecretKey[] };
  jimengBaseUrl: string;
}

/**
 * Profile-independent services: clock, ids, the secret box, the Jimeng gateway and metrics. The
 * snowflake worker id defaults to a hash of host and pid, so replicas of one image differ; set
 * WORKER_ID to pin it.
 */
export function applicationModule(settings: ApplicationSettings): ContainerModule {
  const { config, logger, lifecycle } = settings;
  return new ContainerModule(({ bind }) => {
    bind(TOKENS.Config).toConstantValue(config);
    bind(TOKENS.Logger).toConstantValue(logger);
    bind(TOKENS.Lifecycle).toConstantValue(lifecycle);
    bind(TOKENS.ApiKeys).toConstantValue(settings.apiKeys);
    bind(CLOCK).toConstantValue(systemClock);
    bind(ID_GENERATOR).toConstantValue(
      new SnowflakeIdGenerator({ workerId: config.WORKER_ID ?? defaultWorkerId() }),
    );
    bind(SECRET_BOX).toConstantValue(new AesGcmSecretBox(settings.secretKeys));

    const gateway = new HttpJimengGateway({
      baseUrl: settings.jimengBaseUrl,
      deadlines: { imageMs: config.IMAGE_DEADLINE_MS, videoMs: config.VIDEO_DEADLINE_MS },
    });
    lifecycle.onClose('jimeng gateway', () => gateway.close());
    bind(JIMENG_GATEWAY).toConstantValue(gateway);

    const registry = new Registry();
    bind(TOKENS.MetricsRegistry).toConstantValue(registry);
  });
}

function defaultWorkerId(): number {
  return createHash('sha256').update(`${hostname()}:${process.pid}`).digest().readUInt16BE(0) % 1024;
}

export { createMetrics };
