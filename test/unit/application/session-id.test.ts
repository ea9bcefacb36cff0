import {
  defaultQuotaResetTime,
  maskSessionId,
  parseQuotaResetTime,
  parseSessionId,
} from '../../../src/application/session-id';

describe('parseSessionId', () => {
  it.each([
    ['abc123def456', { sessionId: 'abc123def456' }],
    ['hk-abc123', { sessionId: 'abc123', site: 'hk' }],
    ['US-abc123', { sessionId: 'abc123', site: 'us' }],
    ['socks5://127.0.0.1:1080@sg-abc', { sessionId: 'abc', site: 'sg', proxy: 'socks5://127.0.0.1:1080' }],
    [
      'http://user:p@ss@proxy.local:8080@jp-abc',
      { sessionId: 'abc', site: 'jp', proxy: 'http://user:p@ss@proxy.local:8080' },
    ],
    ['  cn-looking-but-bare  ', { sessionId: 'cn-looking-but-bare' }],
  ])('reads %s', (raw, expected) => {
    expect(parseSessionId(raw)).toEqual(expected);
  });

  it.each([['a,b'], ['@abc'], ['two words'], ['ftp://x@abc'], ['']])(
    'refuses %j without echoing it',
    (raw) => {
      let message = '';
      try {
        parseSessionId(raw);
      } catch (error) {
        message = (error as Error).message;
        expect((error as { code?: string }).code).toBe('VALIDATION_FAILED');
      }
      expect(message).not.toBe('');
      if (raw.length > 3) expect(message).not.toContain(raw);
    },
  );
});

describe('maskSessionId', () => {
  it('shows two characters at each end of long ids and nothing of short ones', () => {
    expect(maskSessionId('0123456789abcdef')).toBe('01****ef');
    expect(maskSessionId('12345678')).toBe('****');
  });
});

describe('quota reset time', () => {
  it('defaults to midnight Beijing time for domestic and midnight UTC for international accounts', () => {
    expect(defaultQuotaResetTime(0)).toEqual({ timeOfDay: '00:00', utcOffsetMinutes: 480 });
    expect(defaultQuotaResetTime(1)).toEqual({ timeOfDay: '00:00', utcOffsetMinutes: 0 });
  });

  it('reads HH:mm with an optional offset', () => {
    expect(parseQuotaResetTime('04:30', 0)).toEqual({ timeOfDay: '04:30', utcOffsetMinutes: 480 });
    expect(parseQuotaResetTime('04:30-05:30', 0)).toEqual({ timeOfDay: '04:30', utcOffsetMinutes: -330 });
    expect(() => parseQuotaResetTime('24:00', 0)).toThrow(/HH:mm/);
  });
});
