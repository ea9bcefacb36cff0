import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type Tool = 'java' | 'mvn' | 'go';

export interface ToolNeed {
  tool: Tool;
  /** The server that needs it, e.g. "Kafka". */
  server: string;
  /** The variable that points the tests at a running server instead. */
  envVar: 'KAFKA_BROKERS' | 'MONGO_URL' | 'ESDB_URL';
}

const installHint: Record<Tool, string> = {
  java: 'a Java 17+ runtime',
  mvn: 'Apache Maven 3',
  go: 'Go 1.24+',
};

const envExample: Record<ToolNeed['envVar'], string> = {
  KAFKA_BROKERS: 'KAFKA_BROKERS=127.0.0.1:9092',
  MONGO_URL: 'MONGO_URL=mongodb://127.0.0.1:27017',
  ESDB_URL: 'ESDB_URL=esdb://127.0.0.1:2113?tls=false',
};

export class ToolchainMissingError extends Error {
  override name = 'ToolchainMissingError';
}

export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function javaExecutable(): string | undefined {
  const home = process.env.JAVA_HOME;
  if (home) {
    const candidate = join(home, 'bin', 'java');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // fall back to PATH
    }
  }
  return findExecutable('java');
}

function isAvailable(tool: Tool): boolean {
  return (tool === 'java' ? javaExecutable() : findExecutable(tool)) !== undefined;
}

/** Fails at once, naming both ways out, when a server must be built or started here without its toolchain. */
export function assertToolchain(needs: readonly ToolNeed[]): void {
  const missing = needs.filter((need) => !isAvailable(need.tool));
  if (missing.length === 0) return;
  const tools = [...new Set(missing.map((need) => need.tool))];
  const vars = [...new Set(missing.map((need) => need.envVar))];
  const list = missing.map((need) => `${need.tool} (for ${need.server})`).join(', ');
  throw new ToolchainMissingError(
    [
      `Cannot start the local test servers: ${list} not found on PATH.`,
      'Either:',
      `  1. install ${tools.map((tool) => installHint[tool]).join(', ')} and run again, or`,
      `  2. point the tests at running servers, e.g. those of \`docker compose up\`: ${vars
        .map((name) => envExample[name])
        .join(' ')}`,
      '     (KAFKA_BROKERS, MONGO_URL and ESDB_URL are honoured independently).',
    ].join('\n'),
  );
}
