// Three projects: unit (no servers), integration (real Kafka, FerretDB, EventStoreDB-protocol
// server started by the global set-up unless KAFKA_BROKERS / MONGO_URL / ESDB_URL are set) and chaos.
const transform = { '^.+\\.ts$': ['@swc/jest'] };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/test/unit'],
      testMatch: ['**/*.test.ts'],
      setupFiles: ['reflect-metadata'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/test/integration'],
      testMatch: ['**/*.test.ts'],
      setupFiles: ['reflect-metadata'],
      globalSetup: '<rootDir>/test/infra/global-setup.ts',
      globalTeardown: '<rootDir>/test/infra/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/setup/integration-timeout.ts'],
    },
    {
      displayName: 'chaos',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/test/chaos'],
      testMatch: ['**/*.test.ts'],
      setupFiles: ['reflect-metadata'],
      globalSetup: '<rootDir>/test/infra/global-setup.ts',
      globalTeardown: '<rootDir>/test/infra/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/setup/chaos-timeout.ts'],
    },
  ],
};
