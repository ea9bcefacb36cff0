import { z } from 'zod';

/**
 * Configuration from the environment, validated once at start so a typo fails loudly instead of
 * silently falling back. Names are the ones the README documents.
 */
const roles = ['api', 'worker', 'projector', 'relay', 'all'] as const;

const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const configSchema = z.object({
  PROFILE: z.enum(['embedded', 'production']).default('embedded'),
  ROLE: z
    .string()
    .default('all')
    .transform((v) => v.split(',').map((r) => r.trim()))
    .pipe(z.array(z.enum(roles)).min(1)),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  API_KEYS: z.string().optional(),
  JIMENG_BASE_URL: z.url().optional(),
  SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(5100),
  SIMULATOR_TIME_SCALE: z.coerce.number().min(0).default(1),
  CALLBACK_SECRET: z.string().optional(),
  CALLBACK_ALLOWED_HOSTS: z.string().optional(),
  SECRET_KEYS: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ESDB_URL: z.string().optional(),
  KAFKA_BROKERS: z.string().optional(),
  MONGO_URL: z.string().optional(),
  MONGO_DB: z.string().default('jimeng'),
  KAFKA_PARTITIONS: z.coerce.number().int().min(1).default(8),
  /** Prefix of this deployment's topics and consumer groups on a shared cluster. */
  KAFKA_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/, 'letters, digits, _ and - only')
    .optional(),
  /**
   * How long the broker waits for a silent worker before giving its partitions to another: the
   * delay before a crashed worker's queued jobs move on (the broker's minimum is 6000 by default).
   */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(1000).default(10_000),
  WORKER_ID: z.coerce.number().int().min(0).max(1023).optional(),
  IMAGE_DEADLINE_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(15 * 60_000),
  VIDEO_DEADLINE_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(30 * 60_000),
  /** How long an attempt's account lease lives without renewal: a dead worker's jobs come back after it. */
  LEASE_TTL_MS: z.coerce.number().int().min(1000).default(30_000),
  /**
   * How long the relay's (and, in production, the projector's) single-writer lock outlives a process
   * that died: a standby takes over after at most this.
   */
  RELAY_LOCK_TTL_MS: z.coerce.number().int().min(1000).default(5_000),
  /**
   * How long a production process keeps trying to start while Kafka, MongoDB or EventStoreDB is
   * not reachable yet (0: fail at once). The embedded profile needs no server and starts once.
   */
  STARTUP_RETRY_MS: z.coerce.number().int().min(0).default(120_000),
  /**
   * How long the MongoDB client may keep failing while a fresh client reaches the server before
   * the process restarts itself (0: never).
   */
  MONGO_WATCHDOG_MS: z.coerce.number().int().min(0).default(30_000),
  METRICS_PUBLIC: booleanFlag.default(true),
  DOCS_PUBLIC: booleanFlag.default(true),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const config = parsed.data;
  if (config.PROFILE === 'production') {
    const missing = (['ESDB_URL', 'KAFKA_BROKERS', 'MONGO_URL'] as const).filter((k) => !config[k]);
    if (missing.length > 0) {
      throw new ConfigError(`PROFILE=production needs ${missing.join(', ')}`);
    }
  }
  return config;
}
