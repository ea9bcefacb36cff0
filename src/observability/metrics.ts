import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { systemClock, type Clock } from '../ports/clock';
import type { AccountReadModel, GenerationKind, RecordReadModel } from '../ports/read-models';
import { POOL_STATES, poolState } from './pool-state';

/** Counted by the generation worker each time a job moves to another site or account. */
export interface SwitchMetrics {
  countSwitch(kind: GenerationKind, type: 'site' | 'account', reason: string): void;
}

export interface HttpMetrics {
  /** `route` is the route template (`/api/v1/images/records/{id}`), never the raw path. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

export interface ProjectorLag {
  projector: string;
  /** Global positions between the store's head and the projector's checkpoint. */
  lag: number;
}

/** Where the gauges read their values at scrape time; each source is optional. */
export interface MetricsSources {
  records?: Pick<RecordReadModel, 'countByStatus'>;
  accounts?: Pick<AccountReadModel, 'listPool'>;
  projectorLag?: () => Promise<ProjectorLag[]>;
  clock?: Clock;
  /** A failing source leaves its gauge empty for this scrape; this hears about it. */
  onCollectError?: (metric: string, error: unknown) => void;
}

export interface Metrics extends SwitchMetrics, HttpMetrics {
  readonly registry: Registry;
}

const KINDS: readonly GenerationKind[] = ['image', 'video'];
const STATUS_NAMES = ['pending', 'processing', 'completed', 'failed', 'retrying'] as const;
const REASON = /^[A-Za-z0-9_]{1,40}$/;
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(registry: Registry, sources: MetricsSources = {}): Metrics {
  const clock = sources.clock ?? systemClock;
  const failed =
    (metric: string) =>
    (error: unknown): undefined => {
      sources.onCollectError?.(metric, error);
      return undefined;
    };

  const requests = new Counter({
    name: 'jimeng_http_requests_total',
    help: 'HTTP requests answered, by route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'jimeng_http_request_duration_seconds',
    help: 'HTTP request latency by route template',
    labelNames: ['method', 'route'] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  const switches = new Counter({
    name: 'jimeng_switches_total',
    help: 'Site and account switches of generation jobs, by reason (error class)',
    labelNames: ['kind', 'type', 'reason'] as const,
    registers: [registry],
  });

  new Gauge({
    name: 'jimeng_records',
    help: 'Live generation records by generation_status (0 pending … 4 retrying)',
    labelNames: ['kind', 'status'] as const,
    registers: [registry],
    async collect() {
      if (!sources.records) return;
      this.reset();
      for (const kind of KINDS) {
        const counts = await sources.records.countByStatus(kind).catch(failed('jimeng_records'));
        if (!counts) continue;
        STATUS_NAMES.forEach((status, code) => this.set({ kind, status }, counts[code as 0] ?? 0));
      }
    },
  });

  new Gauge({
    name: 'jimeng_pool_accounts',
    help: 'Accounts of the pool by kind and state (available, cooling, unavailable, inactive, banned)',
    labelNames: ['kind', 'state'] as const,
    registers: [registry],
    async collect() {
      if (!sources.accounts) return;
      this.reset();
      const pool = await sources.accounts.listPool().catch(failed('jimeng_pool_accounts'));
      if (!pool) return;
      const now = clock.now();
      for (const kind of KINDS) {
        const counts = Object.fromEntries(POOL_STATES.map((state) => [state, 0]));
        for (const account of pool) counts[poolState(account, kind, now)]! += 1;
        for (const state of POOL_STATES) this.set({ kind, state }, counts[state]!);
      }
    },
  });

  new Gauge({
    name: 'jimeng_projector_lag',
    help: 'Global positions the projector is behind the event store head',
    labelNames: ['projector'] as const,
    registers: [registry],
    async collect() {
      if (!sources.projectorLag) return;
      this.reset();
      const lags = await sources.projectorLag().catch(failed('jimeng_projector_lag'));
      for (const { projector, lag } of lags ?? []) this.set({ projector }, lag);
    },
  });

  return {
    registry,
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
    },
    countSwitch(kind, type, reason) {
      // Reasons become label values: keep them to a bounded, known-safe alphabet.
      switches.inc({ kind, type, reason: REASON.test(reason) ? reason : 'other' });
    },
  };
}
