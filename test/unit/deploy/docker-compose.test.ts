import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { configSchema } from '../../../src/config/config';

// docker compose cannot run on this machine (no engine), so its structure is what we can pin.
interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  healthcheck?: { test: unknown };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
}

const root = join(__dirname, '../../..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;
const roleServices = ['api', 'relay', 'projector', 'worker'];

describe('docker-compose.yml (production profile)', () => {
  it('runs the three real servers with pinned images', () => {
    expect(services.eventstore.image).toMatch(/^eventstore\/eventstore:\d+/);
    expect(services.kafka.image).toMatch(/^apache\/kafka:4\./);
    expect(services.mongo.image).toMatch(/^mongo:7/);
    expect(services.mongo.command).toEqual(expect.arrayContaining(['--replSet']));
    expect(services.kafka.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(services.eventstore.environment?.EVENTSTORE_INSECURE).toBe('true');
  });

  it('gives every service a healthcheck', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({ name, healthcheck: Boolean(service.healthcheck?.test) }).toEqual({ name, healthcheck: true });
    }
  });

  it('runs each role of the service as its own process, with two workers', () => {
    for (const role of roleServices) {
      expect(services[role].command).toEqual(['node', 'dist/main.js', '--role', role]);
      expect(services[role].build).toBeDefined();
    }
    expect(services.worker.deploy?.replicas).toBe(2);
  });

  it('starts the roles only after the servers are healthy', () => {
    for (const role of roleServices) {
      for (const server of ['eventstore', 'kafka', 'mongo']) {
        expect(services[role].depends_on?.[server]?.condition).toBe('service_healthy');
      }
    }
  });

  it('sets only environment variables the code reads, and every one production needs', () => {
    const known = new Set(Object.keys(configSchema.shape));
    for (const role of roleServices) {
      const env = services[role].environment ?? {};
      for (const name of Object.keys(env))
        expect({ role, name, known: known.has(name) }).toEqual({ role, name, known: true });
      expect(env.PROFILE).toBe('production');
      for (const name of [
        'ESDB_URL',
        'KAFKA_BROKERS',
        'MONGO_URL',
        'JIMENG_BASE_URL',
        'API_KEYS',
        'SECRET_KEYS',
      ]) {
        expect({ role, name, set: Boolean(env[name]) }).toEqual({ role, name, set: true });
      }
    }
  });

  it('points the service at the servers by their compose names and published ports', () => {
    const env = services.api.environment ?? {};
    expect(env.ESDB_URL).toContain('eventstore:2113');
    expect(env.KAFKA_BROKERS).toBe('kafka:9092');
    expect(env.MONGO_URL).toContain('mongo:27017');
    expect(services.api.ports).toContain('3000:3000');
    expect(services.eventstore.ports).toContain('2113:2113');
    expect(services.mongo.ports).toContain('27017:27017');
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  it('is multi-stage and runs as a non-root user', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/npm ci/);
  });
});
