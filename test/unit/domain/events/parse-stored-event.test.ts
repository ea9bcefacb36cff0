import type { StoredEvent } from '../../../../src/ports/event-store';
import {
  createUpcasterRegistry,
  EVENT_SCHEMA_VERSIONS,
  parseStoredEvent,
  StoredEventError,
  toEventToAppend,
  UpcasterRegistry,
  type DomainEvent,
} from '../../../../src/events';
import { accountRegistered, requested } from '../support/fixtures';

const stored = (
  streamId: string,
  event: { type: string; data: unknown },
  schemaVersion?: number,
): StoredEvent => ({
  streamId,
  revision: 7,
  position: 42n,
  id: '00000000-0000-4000-8000-000000000000',
  type: event.type,
  data: event.data,
  metadata: schemaVersion === undefined ? {} : { schemaVersion },
  createdAt: new Date(),
});

describe('parseStoredEvent / toEventToAppend', () => {
  it('round-trips every event through append shape and back', () => {
    const events: DomainEvent[] = [accountRegistered(), requested()];
    for (const event of events) {
      const streamId = event.type === 'AccountRegistered' ? 'account-100' : 'image-p1.s1';
      const toAppend = toEventToAppend(event, { correlationId: 'c1', actor: 'alice' }, 'id-1');
      expect(toAppend).toMatchObject({
        id: 'id-1',
        type: event.type,
        metadata: { correlationId: 'c1', actor: 'alice', schemaVersion: EVENT_SCHEMA_VERSIONS[event.type] },
      });
      const json = JSON.parse(JSON.stringify(toAppend.data));
      expect(
        parseStoredEvent(
          stored(streamId, { type: event.type, data: json }, toAppend.metadata?.schemaVersion),
        ),
      ).toEqual(event);
    }
  });

  it('refuses invalid stored data, naming stream, revision and type', () => {
    const bad = stored('image-p1.s1', { type: 'GenerationRequested', data: { recordId: 'r1' } }, 1);
    expect(() => parseStoredEvent(bad)).toThrow(StoredEventError);
    expect(() => parseStoredEvent(bad)).toThrow(/stream image-p1\.s1 revision 7 \(GenerationRequested\)/);
  });

  it('refuses an unknown event type', () => {
    expect(() => parseStoredEvent(stored('image-p1.s1', { type: 'Nope', data: {} }))).toThrow(
      /unknown event type/,
    );
  });

  it('refuses an account event in a generation stream', () => {
    expect(() => parseStoredEvent(stored('image-p1.s1', accountRegistered(), 2))).toThrow(
      /not an event of a generation/,
    );
  });

  it('refuses a schema version newer than the code knows', () => {
    expect(() => parseStoredEvent(stored('image-p1.s1', requested(), 9))).toThrow(/schema version 9/);
  });

  it('refuses data that does not match the schema on write (VALIDATION_FAILED)', () => {
    const event = requested({ callbackUrl: 'not a url' });
    expect(() => toEventToAppend(event)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('normalizes a numeric upstream code to a string', () => {
    const event = parseStoredEvent(
      stored('account-1', {
        type: 'AccountStatusChanged',
        data: {
          accountId: '1',
          from: 'active',
          to: 'inactive',
          reason: 'SESSION_INVALID',
          upstreamCode: 1015,
          at: '2025-01-01T00:00:00Z',
        },
      }),
    );
    expect(event.data).toMatchObject({ upstreamCode: '1015' });
  });

  describe('upcasting', () => {
    it('upcasts AccountRegistered v1 (bare "HH:mm" quota reset time, UTC+8) to v2', () => {
      const { quotaResetTime: _q, ...v2 } = accountRegistered().data as Record<string, unknown>;
      const v1 = { ...v2, quotaResetTime: '04:30' };
      const event = parseStoredEvent(stored('account-100', { type: 'AccountRegistered', data: v1 }, 1));
      expect(event.data).toMatchObject({ quotaResetTime: { timeOfDay: '04:30', utcOffsetMinutes: 480 } });
    });

    it('reads an event without a schema version as version 1', () => {
      const event = parseStoredEvent(stored('image-p1.s1', requested()));
      expect(event).toEqual(requested());
    });

    it('chains upcasters step by step', () => {
      const registry = new UpcasterRegistry({ Thing: 3 })
        .register('Thing', 1, (d) => ({ ...(d as object), b: 1 }))
        .register('Thing', 2, (d) => ({ ...(d as object), c: 2 }));
      expect(registry.upcast('Thing', 1, { a: 0 })).toEqual({ a: 0, b: 1, c: 2 });
      expect(registry.upcast('Thing', 3, { a: 0 })).toEqual({ a: 0 });
      expect(() => new UpcasterRegistry({ Thing: 2 }).upcast('Thing', 1, {})).toThrow(/no upcaster/);
    });

    it('the production registry knows every current version', () => {
      const registry = createUpcasterRegistry();
      for (const [type, version] of Object.entries(EVENT_SCHEMA_VERSIONS)) {
        expect(registry.currentVersion(type)).toBe(version);
      }
    });
  });
});
