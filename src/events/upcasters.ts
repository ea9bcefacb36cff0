import { DEFAULT_QUOTA_RESET_TIME } from './schema-primitives';

/** Turns the data of one schema version into the data of the next one. */
export type Upcaster = (data: unknown) => unknown;

/**
 * Upcasters keyed by event type and the version they upcast from. Stored events are never
 * rewritten; reading brings old shapes up to the current one step by step.
 */
export class UpcasterRegistry {
  private readonly steps = new Map<string, Map<number, Upcaster>>();

  constructor(private readonly currentVersions: Readonly<Record<string, number>>) {}

  currentVersion(type: string): number | undefined {
    return this.currentVersions[type];
  }

  register(type: string, fromVersion: number, upcaster: Upcaster): this {
    const byVersion = this.steps.get(type) ?? new Map<number, Upcaster>();
    byVersion.set(fromVersion, upcaster);
    this.steps.set(type, byVersion);
    return this;
  }

  /** Throws when a step is missing or the stored version is newer than this code knows. */
  upcast(type: string, version: number, data: unknown): unknown {
    const current = this.currentVersions[type];
    if (current === undefined) throw new Error(`unknown event type ${type}`);
    if (!Number.isInteger(version) || version < 1 || version > current) {
      throw new Error(`${type} schema version ${version} is not between 1 and ${current}`);
    }
    let upcasted = data;
    for (let v = version; v < current; v++) {
      const step = this.steps.get(type)?.get(v);
      if (step === undefined) throw new Error(`no upcaster for ${type} from version ${v}`);
      upcasted = step(upcasted);
    }
    return upcasted;
  }
}

/** Current schema version of every event type (written into the metadata of appended events). */
export const EVENT_SCHEMA_VERSIONS: Readonly<Record<string, number>> = {
  AccountRegistered: 2,
  AccountUpdated: 1,
  AccountDeleted: 1,
  AccountStatusChanged: 1,
  AccountCapabilityChanged: 1,
  AccountQuotaReset: 1,
  GenerationRequested: 1,
  RegenerationRequested: 1,
  GenerationStarted: 1,
  SiteSwitched: 1,
  AccountSwitched: 1,
  AttemptFailed: 1,
  AttemptAbandoned: 1,
  GenerationCompleted: 1,
  GenerationFailed: 1,
  RecordDeleted: 1,
  CallbackDelivered: 1,
  CallbackFailed: 1,
};

/**
 * AccountRegistered v1 kept the requirement's bare `quota_reset_time` ("HH:mm", meant in UTC+8);
 * v2 keeps the zone offset next to it so the next reset can be computed anywhere.
 */
export const upcastAccountRegisteredV1: Upcaster = (data) => {
  if (typeof data !== 'object' || data === null) return data;
  const record = data as Record<string, unknown>;
  const legacy = record['quotaResetTime'];
  return {
    ...record,
    quotaResetTime:
      typeof legacy === 'string'
        ? { timeOfDay: legacy, utcOffsetMinutes: DEFAULT_QUOTA_RESET_TIME.utcOffsetMinutes }
        : (legacy ?? DEFAULT_QUOTA_RESET_TIME),
  };
};

export function createUpcasterRegistry(): UpcasterRegistry {
  return new UpcasterRegistry(EVENT_SCHEMA_VERSIONS).register(
    'AccountRegistered',
    1,
    upcastAccountRegisteredV1,
  );
}
