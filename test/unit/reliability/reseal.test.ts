import { randomBytes } from 'node:crypto';
import { AesGcmSecretBox, type SecretKey } from '../../../src/adapters/secret-box/aes-gcm-secret-box';
import type { ResealableSecretBox } from '../../../src/application/secret-rotation';
import { accountStreamId } from '../../../src/events';
import { clearSeen, itConformsToTheOpenApiDocument } from '../http/support/conformance';
import { KEYS, startHarness, type Harness } from '../http/support/http-harness';

const key = (id: string): SecretKey => ({ id, key: randomBytes(32) });
const A = key('A');
const B = key('B');
const C = key('C');

/** The app's secret box, swapped between calls like a restart with another SECRET_KEYS would. */
let box: AesGcmSecretBox = new AesGcmSecretBox({ primary: A });
const secretBox: ResealableSecretBox = {
  seal: (text) => box.seal(text),
  open: (text) => box.open(text),
  needsReseal: (text) => box.needsReseal(text),
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ overrides: { secretBox } });
});
afterAll(async () => {
  await h.close();
  clearSeen();
});

const admin = { key: KEYS.admin };

async function register(sessionId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const answer = await h.call('POST', '/api/v1/accounts', {
    ...admin,
    body: { createBy: 'ops', accounts: [{ jimengAccount: `acc-${sessionId}`, sessionId, ...extra }] },
  });
  expect(answer.body.data.items[0].result).toBe('accepted');
  return answer.body.data.items[0].accountId as string;
}

/** The sealed session and proxy the account's stream holds now. */
async function sealedOf(accountId: string): Promise<{ session: string; proxy: string | null }> {
  let session = '';
  let proxy: string | null = null;
  for (const event of await h.eventStore.readStream(accountStreamId(accountId))) {
    const data = event.data as { sealedSessionId?: string; sealedProxy?: string | null; changes?: object };
    const fields = (event.type === 'AccountUpdated' ? data.changes : data) as typeof data;
    if (fields.sealedSessionId !== undefined) session = fields.sealedSessionId;
    if (fields.sealedProxy !== undefined) proxy = fields.sealedProxy;
  }
  return { session, proxy };
}

const reseal = (headers: Record<string, string> = {}) =>
  h.call('POST', '/api/v1/accounts/reseal', { ...admin, body: {}, headers });

describe('POST /api/v1/accounts/reseal (SECRET_KEYS rotation)', () => {
  const ids: Record<string, string> = {};

  it('re-seals with the new primary key every account sealed with the old one, and only those', async () => {
    // Given accounts sealed with key A (one with a proxy, one deleted)
    ids['plain'] = await register('plain-session-0000000001');
    ids['proxied'] = await register('http://proxy.example:8080@hk-proxied-session-0000000002');
    ids['deleted'] = await register('deleted-session-000000003');
    await h.call('DELETE', `/api/v1/accounts/${ids['deleted']}`, admin);
    // When the app restarts with "B,A" and an admin calls reseal
    box = new AesGcmSecretBox({ primary: B, others: [A] });
    const answer = await reseal();

    // Then both live accounts are re-sealed with B, and only B is needed from now on
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ resealed: 2, alreadyCurrent: 0, failed: 0, failures: [] });
    const onlyB = new AesGcmSecretBox({ primary: B });
    const plain = await sealedOf(ids['plain']!);
    const proxied = await sealedOf(ids['proxied']!);
    expect(plain.session.split('.')[1]).toBe('B');
    expect(onlyB.open(plain.session)).toBe('plain-session-0000000001');
    expect(onlyB.open(proxied.session)).toBe('proxied-session-0000000002');
    expect(onlyB.open(proxied.proxy!)).toBe('http://proxy.example:8080');
    expect((await sealedOf(ids['deleted']!)).session.split('.')[1]).toBe('A');
    expect(answer.text).not.toContain('session-00000000');
  });

  it('changes nothing when called again: every account is already current', async () => {
    await h.settle();
    const head = await h.eventStore.headPosition();

    const answer = await reseal();

    expect(answer.body.data).toEqual({ resealed: 0, alreadyCurrent: 2, failed: 0, failures: [] });
    expect(await h.eventStore.headPosition()).toBe(head);
  });

  it('keeps the masked session and the answer of the account query unchanged', async () => {
    await h.settle();
    const answer = await h.call('GET', `/api/v1/accounts/${ids['plain']}`, admin);

    expect(answer.body.data.sessionIdMasked).toBe('pl****01');
  });

  it('reports, without the secret, an account whose key is no longer configured', async () => {
    box = new AesGcmSecretBox({ primary: C });
    const orphan = await register('orphan-session-0000000004');
    box = new AesGcmSecretBox({ primary: B, others: [A] });

    const answer = await reseal();

    expect(answer.body.data).toMatchObject({ resealed: 0, alreadyCurrent: 2, failed: 1 });
    expect(answer.body.data.failures).toEqual([{ accountId: orphan, message: expect.stringContaining('C') }]);
    expect(answer.text).not.toContain('orphan-session');
    await h.call('DELETE', `/api/v1/accounts/${orphan}`, admin);
  });

  it('replays the first answer for the same Idempotency-Key without walking again', async () => {
    box = new AesGcmSecretBox({ primary: A, others: [B] });
    const headers = { 'idempotency-key': 'rotate-back-to-A' };

    const first = await reseal(headers);
    const replay = await reseal(headers);

    expect(first.body.data.resealed).toBe(2);
    expect(replay.text).toBe(first.text);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('never overwrites a session an admin changed while the walk was running', async () => {
    box = new AesGcmSecretBox({ primary: B, others: [A] });
    const store = h.eventStore;
    const append = store.append.bind(store);
    let raced = false;
    // The admin's update lands between the walk's read of the account and its append.
    store.append = async (streamId, events, expected) => {
      if (!raced && streamId === accountStreamId(ids['plain']!)) {
        raced = true;
        store.append = append;
        const patch = await h.call('PATCH', '/api/v1/accounts', {
          ...admin,
          body: {
            updateBy: 'ops',
            accounts: [{ id: ids['plain'], sessionId: 'brand-new-session-00000009' }],
          },
        });
        expect(patch.body.data.items[0].result).toBe('accepted');
      }
      return append(streamId, events, expected);
    };
    try {
      const answer = await reseal();

      expect(raced).toBe(true);
      expect(answer.body.data.failed).toBe(0);
      expect(box.open((await sealedOf(ids['plain']!)).session)).toBe('brand-new-session-00000009');
    } finally {
      store.append = append;
    }
  });
});

itConformsToTheOpenApiDocument(async () => (await h.call('GET', '/openapi.json')).body);
