import { accountStreamId } from '../../../src/events';
import { itConformsToTheOpenApiDocument } from './support/conformance';
import { KEYS, startHarness, type Harness } from './support/http-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const admin = { key: KEYS.admin };
const SESSION = '0123456789abcdef0123456789abcdef';

async function createAccounts(accounts: Record<string, unknown>[], createBy = 'ops.li') {
  return h.call('POST', '/api/v1/accounts', { ...admin, body: { createBy, accounts } });
}

describe('POST /api/v1/accounts', () => {
  it('fills in site type from the session prefix or the account type, and masks the session id', async () => {
    const answer = await createAccounts([
      { jimengAccount: 'cn-1', sessionId: SESSION },
      { jimengAccount: 'jp-1', sessionId: `jp-${SESSION}` },
      { jimengAccount: 'intl-1', sessionId: SESSION, jimengAccountType: 1 },
      { jimengAccount: 'us-1', sessionId: SESSION, siteType: 1, priority: 5, dailyImageQuota: 100 },
    ]);

    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ accepted: 4, rejected: 0 });
    expect(
      answer.body.data.items.map((i: { siteType: number; jimengAccountType: number }) => [
        i.siteType,
        i.jimengAccountType,
      ]),
    ).toEqual([
      [0, 0],
      [3, 1],
      [2, 1],
      [1, 1],
    ]);
    for (const item of answer.body.data.items) expect(item.sessionIdMasked).toBe('01****ef');
    expect(answer.text).not.toContain(SESSION);
  });

  it('never writes the plaintext session id or proxy into the event store', async () => {
    const answer = await createAccounts([
      { jimengAccount: 'proxied', sessionId: `socks5://10.0.0.1:1080@hk-${SESSION}` },
    ]);
    const accountId = answer.body.data.items[0].accountId;

    const [registered] = await h.eventStore.readStream(accountStreamId(accountId));
    const stored = JSON.stringify({ data: registered!.data, metadata: registered!.metadata });

    expect(registered!.type).toBe('AccountRegistered');
    expect(stored).not.toContain(SESSION);
    expect(stored).not.toContain('10.0.0.1');
    expect(registered!.data).toMatchObject({
      siteType: 'hk',
      accountType: 1,
      sessionHint: '01****ef',
      createBy: 'ops.li',
    });
    expect(h.deps.secretBox.open((registered!.data as { sealedSessionId: string }).sealedSessionId)).toBe(
      SESSION,
    );
    expect(h.deps.secretBox.open((registered!.data as { sealedProxy: string }).sealedProxy)).toBe(
      'socks5://10.0.0.1:1080',
    );
    expect(registered!.metadata).toMatchObject({
      actor: 'ops.li',
      apiKey: 'ops',
      correlationId: answer.headers.get('x-request-id'),
    });
  });

  it('rejects contradictions per item and repeated account names in one batch', async () => {
    const answer = await createAccounts([
      { jimengAccount: 'ok', sessionId: SESSION },
      { jimengAccount: 'clash', sessionId: `hk-${SESSION}`, siteType: 3 },
      { jimengAccount: 'domestic-abroad', sessionId: `hk-${SESSION}`, jimengAccountType: 0 },
      { jimengAccount: 'ok', sessionId: SESSION },
    ]);

    expect(
      answer.body.data.items.map((i: { result: string; error?: string }) => i.error ?? i.result),
    ).toEqual(['accepted', 'VALIDATION_FAILED', 'VALIDATION_FAILED', 'DUPLICATE_IN_BATCH']);
  });

  it('refuses malformed accounts as a whole, naming the field', async () => {
    const answer = await createAccounts([
      { jimengAccount: 'x', sessionId: SESSION, quotaResetTime: '25:00' },
    ]);

    expect(answer.status).toBe(400);
    expect(answer.body.data).toMatchObject({
      error: 'VALIDATION_FAILED',
      details: { fields: [{ path: 'accounts.0.quotaResetTime' }] },
    });
  });
});

describe('account queries, updates and deletes', () => {
  it('lists by creator, pages, and hides the session id; then updates and deletes', async () => {
    const created = await createAccounts(
      Array.from({ length: 3 }, (_, i) => ({ jimengAccount: `pager-${i}`, sessionId: SESSION })),
      'pager',
    );
    const ids = created.body.data.items.map((i: { accountId: string }) => i.accountId);
    const wait = { 'x-min-position': created.headers.get('x-event-position')! };

    const page1 = await h.call('GET', '/api/v1/accounts?createBy=pager&pageSize=2&sortOrder=asc', {
      ...admin,
      headers: wait,
    });
    const page2 = await h.call(
      'GET',
      '/api/v1/accounts?createBy=pager&pageSize=2&page=2&sortOrder=asc',
      admin,
    );

    expect(page1.body.data).toMatchObject({ total: 3, page: 1, pageSize: 2, totalPages: 2 });
    expect([...page1.body.data.list, ...page2.body.data.list].map((a: { id: string }) => a.id)).toEqual(ids);
    expect(page1.body.data.list[0]).toMatchObject({
      jimengAccount: 'pager-0',
      siteType: 0,
      accountStatus: 0,
      sessionIdMasked: '01****ef',
    });
    expect(page1.body.data.list[0]).not.toHaveProperty('sessionId');

    const patched = await h.call('PATCH', '/api/v1/accounts', {
      ...admin,
      body: {
        updateBy: 'ops.wang',
        accounts: [
          { id: ids[0], priority: 9, accountStatus: 1 },
          { id: ids[1] },
          { id: 'no-such-account', priority: 1 },
          { id: ids[0], weight: 2 },
        ],
      },
    });
    expect(patched.body.data.items).toEqual([
      { index: 0, accountId: ids[0], result: 'accepted', changed: ['accountStatus', 'priority'] },
      { index: 1, accountId: ids[1], result: 'accepted', changed: [] },
      expect.objectContaining({ index: 2, result: 'rejected', error: 'NOT_FOUND' }),
      expect.objectContaining({ index: 3, result: 'rejected', error: 'DUPLICATE_IN_BATCH' }),
    ]);

    const one = await h.call('GET', `/api/v1/accounts/${ids[0]}`, {
      ...admin,
      headers: { 'x-min-position': patched.headers.get('x-event-position')! },
    });
    expect(one.body.data).toMatchObject({ id: ids[0], priority: 9, accountStatus: 1, updateBy: 'ops.wang' });

    const inactive = await h.call('GET', '/api/v1/accounts?createBy=pager&accountStatus=1', admin);
    expect(inactive.body.data.list.map((a: { id: string }) => a.id)).toEqual([ids[0]]);

    const deleted = await h.call('DELETE', `/api/v1/accounts/${ids[2]}`, admin);
    expect(deleted.body.data).toEqual({ accountId: ids[2], deleted: true });
    const gone = await h.call('GET', `/api/v1/accounts/${ids[2]}`, {
      ...admin,
      headers: { 'x-min-position': deleted.headers.get('x-event-position')! },
    });
    expect(gone).toMatchObject({ status: 404, body: { code: 404, data: { error: 'NOT_FOUND' } } });
    const again = await h.call('DELETE', `/api/v1/accounts/${ids[2]}`, admin);
    expect(again.status).toBe(200);
  });

  it('answers NOT_FOUND when deleting an unknown account', async () => {
    const answer = await h.call('DELETE', '/api/v1/accounts/unknown-1', admin);

    expect(answer).toMatchObject({ status: 404, body: { data: { error: 'NOT_FOUND' } } });
  });

  it('sorts only by indexed fields', async () => {
    const answer = await h.call('GET', '/api/v1/accounts?sortBy=jimengAccount', admin);

    expect(answer.status).toBe(400);
    expect(answer.body.data.details.fields[0].path).toBe('query.sortBy');
  });
});

itConformsToTheOpenApiDocument(async () => (await h.call('GET', '/openapi.json')).body);
