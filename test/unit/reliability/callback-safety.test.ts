import fc from 'fast-check';
import { checkCallbackUrl } from '../../../src/workers/callbacks';
import { sendCallback } from '../../../src/workers/callbacks/callback-sender';
import { CallbackServer } from '../workers/callbacks/callback-server';
import { clearSeen } from '../http/support/conformance';
import { imageBatch, KEYS, startHarness, type Harness } from '../http/support/http-harness';

// What test/unit/workers/callbacks/** already covers is not repeated here: schemes, credentials and
// the allow-list by example, a same-host redirect, a receiver that never answers.

describe('callback URL policy against tricky URLs (property)', () => {
  const schemes = [
    'https://',
    'http://',
    'HTTPS://',
    'http:/',
    'javascript:',
    'data:',
    'ftp://',
    'ws://',
    '//',
  ];
  const userinfo = ['', 'user@', 'user:pw@', ':pw@', 'hooks.example.com@', '%40@'];
  const hosts = [
    'hooks.example.com',
    'HOOKS.example.com',
    'hooks.example.com.',
    'evil.com\\@hooks.example.com',
    'evil.com%2F@hooks.example.com',
    'hooks.example.com.evil.net',
    'evilhooks.example.com',
    'a.hooks.example.com',
    '127.0.0.1',
    '[::1]',
    'xn--hooks-9qa.example.com',
  ];
  const tails = ['', ':8443', '/hook', '/a@b', '?next=https://evil.com', '#@evil.com', '\\@evil.com'];
  const url = fc
    .tuple(
      fc.constantFrom(...schemes),
      fc.constantFrom(...userinfo),
      fc.constantFrom(...hosts),
      fc.constantFrom(...tails),
    )
    .map((parts) => parts.join(''));

  it('accepts only http(s) URLs without credentials whose host is on the allow-list', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        url,
        fc.constantFrom([] as string[], ['hooks.example.com'], ['*.hooks.example.com']),
        (raw, allowed) => {
          const verdict = checkCallbackUrl(raw, allowed);
          if (!verdict.ok) return;
          accepted++;
          const parsed = new URL(raw);
          expect(['http:', 'https:']).toContain(parsed.protocol);
          expect([parsed.username, parsed.password]).toEqual(['', '']);
          if (allowed[0] === 'hooks.example.com') expect(parsed.hostname).toBe('hooks.example.com');
          if (allowed[0] === '*.hooks.example.com')
            expect(parsed.hostname.endsWith('.hooks.example.com')).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(0);
  });
});

describe('a callback receiver that redirects to another host', () => {
  const receiver = new CallbackServer();
  const elsewhere = new CallbackServer();
  beforeAll(async () => {
    await receiver.start();
    await elsewhere.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await elsewhere.stop();
  });

  it.each([301, 302, 307, 308])(
    'gets no delivery out of a %i: the other host receives nothing',
    async (status) => {
      receiver.respond = () => ({ status, headers: { location: elsewhere.url('/stolen') } });

      const result = await sendCallback({
        url: new URL(receiver.url()),
        body: '{"event":"generation.completed"}',
        eventId: 'e-1',
        attempt: 1,
        secret: 's',
        timeoutMs: 2000,
        now: new Date(),
      });

      expect(result).toEqual({ delivered: false, error: `HTTP ${status} (redirect not followed)` });
      expect(elsewhere.received).toHaveLength(0);
    },
  );

  it('gives up on a receiver that sends headers but never finishes the body, within the timeout', async () => {
    const { createServer } = await import('node:http');
    const slow = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const port = (slow.address() as { port: number }).port;
    const started = Date.now();
    try {
      const result = await sendCallback({
        url: new URL(`http://127.0.0.1:${port}/hook`),
        body: '{}',
        eventId: 'e-2',
        attempt: 1,
        secret: 's',
        timeoutMs: 300,
        now: new Date(),
      });

      expect(Date.now() - started).toBeLessThan(5000);
      expect(result.delivered === false || result.httpStatus === 200).toBe(true);
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });
});

describe('callbackUrl at the API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ projector: false });
  });
  afterAll(async () => {
    clearSeen();
    await h.close();
  });

  it.each([
    ['ftp://hooks.example.com/x', 'a non-http scheme'],
    ['javascript:alert(1)', 'javascript:'],
    ['file:///etc/passwd', 'file:'],
    ['hooks.example.com/x', 'no scheme'],
    ['https://user:secret@hooks.example.com/x', 'credentials'],
    ['https://token@hooks.example.com/x', 'a user name'],
  ])('refuses %s (%s) before anything is stored', async (callbackUrl) => {
    const head = await h.eventStore.headPosition();

    const answer = await h.call('POST', '/api/v1/images/text-to-image', {
      key: KEYS.service,
      body: imageBatch('p-callback', ['sb-1'], { callbackUrl }),
    });

    expect(answer.status).toBe(400);
    expect(answer.body.data.error).toBe('VALIDATION_FAILED');
    expect(answer.text).not.toContain('secret@');
    expect(await h.eventStore.headPosition()).toBe(head);
  });
});
