import { randomBytes } from 'node:crypto';
import { AccountService } from '../../../src/application/account-service';
import { AesGcmSecretBox } from '../../../src/adapters/secret-box/aes-gcm-secret-box';
import { accountStreamId } from '../../../src/events';
import { InMemoryEventStore } from '../../support/in-memory-event-store';

const context = { correlationId: 'req-1', apiKey: 'ops' };
const clock = { now: () => new Date('2025-01-16T08:00:00.000Z') };
const secretBox = new AesGcmSecretBox({ primary: { id: 'k', key: randomBytes(32) } });

function setup() {
  const eventStore = new InMemoryEventStore();
  let n = 0;
  const accounts = new AccountService({ eventStore, secretBox, clock, ids: { nextId: () => `acc-${++n}` } });
  return { eventStore, accounts };
}

describe('AccountService', () => {
  it('registers with defaults: site from the prefix, quota reset at midnight of the account type', async () => {
    const { eventStore, accounts } = setup();

    const outcome = await accounts.register(
      { jimengAccount: 'a', sessionId: 'sg-0123456789abcdef' },
      'ops.li',
      context,
    );

    expect(outcome).toEqual({
      result: 'accepted',
      accountId: 'acc-1',
      siteType: 4,
      jimengAccountType: 1,
      sessionIdMasked: '01****ef',
      position: expect.any(BigInt),
    });
    const [event] = await eventStore.readStream(accountStreamId('acc-1'));
    expect(event!.data).toMatchObject({
      quotaResetTime: { timeOfDay: '00:00', utcOffsetMinutes: 0 },
      priority: 0,
      weight: 1,
      concurrencyCap: 2,
      rpmCap: 10,
      sealedProxy: null,
    });
  });

  it('re-seals a new session id, moves the site with its prefix and removes the proxy on null', async () => {
    const { eventStore, accounts } = setup();
    await accounts.register(
      { jimengAccount: 'a', sessionId: 'http://p.local:1@hk-0123456789abcdef' },
      'ops',
      context,
    );

    const outcome = await accounts.update(
      { id: 'acc-1', sessionId: 'jp-fedcba9876543210', proxy: null, quotaResetTime: '06:00' },
      'ops.wang',
      context,
    );

    expect(outcome).toMatchObject({
      result: 'accepted',
      changed: ['proxy', 'quotaResetTime', 'sessionId', 'siteType'],
    });
    const events = await eventStore.readStream(accountStreamId('acc-1'));
    const changes = (events[1]!.data as { changes: Record<string, unknown> }).changes;
    expect(secretBox.open(changes['sealedSessionId'] as string)).toBe('fedcba9876543210');
    expect(changes).toMatchObject({ siteType: 'jp', sealedProxy: null, sessionHint: 'fe****10' });
    expect(changes['quotaResetTime']).toEqual({ timeOfDay: '06:00', utcOffsetMinutes: 0 });
    expect(JSON.stringify(changes)).not.toContain('fedcba9876543210');
  });

  it('refuses updates of unknown or deleted accounts with NOT_FOUND, and deletes idempotently', async () => {
    const { accounts } = setup();
    await accounts.register({ jimengAccount: 'a', sessionId: '0123456789abcdef' }, 'ops', context);

    const first = await accounts.delete('acc-1', 'ops', context);
    const again = await accounts.delete('acc-1', 'ops', context);
    const update = await accounts.update({ id: 'acc-1', priority: 3 }, 'ops', context);
    const unknown = await accounts.delete('acc-9', 'ops', context);

    expect(first).toMatchObject({ result: 'accepted', position: expect.any(BigInt) });
    expect(again).toEqual({ result: 'accepted', accountId: 'acc-1' });
    expect(update).toMatchObject({ result: 'rejected', error: 'NOT_FOUND' });
    expect(unknown).toMatchObject({ result: 'rejected', error: 'NOT_FOUND' });
  });
});
