import { checkCallbackUrl, parseAllowedHosts } from '../../../../src/workers/callbacks';

describe('callback URL policy', () => {
  it.each([
    ['https://hooks.example.com/done', [], true],
    ['http://127.0.0.1:8080/hook', [], true],
    ['ftp://hooks.example.com/done', [], false],
    ['file:///etc/passwd', [], false],
    ['https://user:secret@hooks.example.com/done', [], false],
    ['https://token@hooks.example.com/done', [], false],
    ['https://hooks.example.com/done', ['hooks.example.com'], true],
    ['https://HOOKS.example.com/done', ['hooks.example.com'], true],
    ['https://evil.example.net/done', ['hooks.example.com'], false],
    ['https://a.hooks.example.com/done', ['*.hooks.example.com'], true],
    ['https://hooks.example.com/done', ['*.hooks.example.com'], false],
    ['https://evilhooks.example.com/done', ['*.hooks.example.com'], false],
    ['not a url', [], false],
  ])('%s with allow-list %j → allowed %s', (url, hosts, allowed) => {
    expect(checkCallbackUrl(url, hosts).ok).toBe(allowed);
  });

  it('reads CALLBACK_ALLOWED_HOSTS as a comma-separated list', () => {
    expect(parseAllowedHosts(' a.example.com, *.b.example.com ,,')).toEqual([
      'a.example.com',
      '*.b.example.com',
    ]);
    expect(parseAllowedHosts(undefined)).toEqual([]);
  });
});
