// Intake: autocannon posts text-to-image batches of 100 new storyboards for N seconds.
import autocannon from 'autocannon';
import { KEYS, startRuntimeProcess } from '../support/runtime';
import { imageBatchBody } from '../support/api';
import { productionEnv, runScenario } from '../support/scenario';

const BATCH = 100;

runScenario(async ({ mode, profile, cpuProfileDir }) => {
  const seconds = mode === 'full' ? 15 : 3;
  const connections = 4;
  // No worker: intake is measured alone (the relay still moves every job to the bus). The
  // Jimeng endpoint is never called without a worker.
  const role = 'api,projector,relay';
  const runtime = await startRuntimeProcess({
    profile,
    role,
    jimengBaseUrl: 'http://127.0.0.1:9',
    ...(profile === 'production' ? { env: productionEnv() } : {}),
    ...(cpuProfileDir ? { cpuProfileDir } : {}),
  });
  let sequence = 0;
  let accepted = 0;
  let refused = 0;
  const run = `r${Date.now().toString(36)}`;
  try {
    // A short warm-up so JIT compilation and table creation are not in the numbers.
    const request = {
      method: 'POST',
      path: '/api/v1/images/text-to-image',
      setupRequest: (req: object) => {
        sequence += 1;
        const ids = Array.from({ length: BATCH }, (_, i) => `s${sequence}-${i}`);
        const body = imageBatchBody(
          { projectId: `${run}-p${sequence % 50}`, workId: 'intake', createBy: 'bench' },
          ids,
        );
        return { ...req, body: JSON.stringify(body) };
      },
      onResponse: (status: number, body: string) => {
        if (status !== 202) return;
        const match = /"accepted":(\d+),"rejected":(\d+)/.exec(body);
        if (match) {
          accepted += Number(match[1]);
          refused += Number(match[2]);
        }
      },
    };
    const headers = { authorization: `Bearer ${KEYS.service}`, 'content-type': 'application/json' };
    await autocannon({ url: runtime.baseUrl, connections, duration: 1, headers, requests: [request] });
    accepted = 0;
    refused = 0;
    const result = await autocannon({
      url: runtime.baseUrl,
      connections,
      duration: seconds,
      timeout: 30,
      headers,
      requests: [request],
    });
    const memory = await runtime.memory();
    return {
      storyboardsPerSec: Math.round(accepted / result.duration),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      maxMs: result.latency.max,
      batchesPerSec: Math.round((result.requests.total / result.duration) * 10) / 10,
      storyboardsPerBatch: BATCH,
      refusedStoryboards: refused,
      non2xx: result.non2xx,
      errors: result.errors,
      connections,
      seconds: result.duration,
      roles: role,
      runtimeRssMb: Math.round(memory.peakRssMb),
    };
  } finally {
    await runtime.stop();
  }
});
