import {
  accountStatusFromCode,
  accountStatusToCode,
  accountTypeFromCode,
  capabilityStatusFromCode,
  capabilityStatusToCode,
  generationStatusFromCode,
  generationStatusToCode,
  siteFitsAccountType,
  siteFromCode,
  siteToCode,
} from '../../../../src/events';

describe('numeric codes of the requirements', () => {
  it.each([
    ['cn', 0],
    ['us', 1],
    ['hk', 2],
    ['jp', 3],
    ['sg', 4],
  ] as const)('site_type %s = %i, both ways', (site, code) => {
    expect(siteToCode(site)).toBe(code);
    expect(siteFromCode(code)).toBe(site);
  });

  it.each([
    ['active', 0],
    ['inactive', 1],
    ['banned', 2],
  ] as const)('account_status %s = %i', (status, code) => {
    expect(accountStatusToCode(status)).toBe(code);
    expect(accountStatusFromCode(code)).toBe(status);
  });

  it.each([
    ['unavailable', 0],
    ['available', 1],
    ['rate_limited', 2],
  ] as const)('image/video_generation_status %s = %i', (status, code) => {
    expect(capabilityStatusToCode(status)).toBe(code);
    expect(capabilityStatusFromCode(code)).toBe(status);
  });

  it.each([
    ['pending', 0],
    ['processing', 1],
    ['completed', 2],
    ['failed', 3],
    ['retrying', 4],
  ] as const)('generation_status %s = %i', (status, code) => {
    expect(generationStatusToCode(status)).toBe(code);
    expect(generationStatusFromCode(code)).toBe(status);
  });

  it('jimeng_account_type is 0 (domestic) or 1 (international)', () => {
    expect(accountTypeFromCode(0)).toBe(0);
    expect(accountTypeFromCode(1)).toBe(1);
    expect(() => accountTypeFromCode(2)).toThrow(RangeError);
  });

  it('unknown codes are refused', () => {
    expect(() => siteFromCode(5)).toThrow(RangeError);
    expect(() => generationStatusFromCode(-1)).toThrow(RangeError);
  });

  it('domestic accounts use cn only, international accounts never cn', () => {
    expect(siteFitsAccountType('cn', 0)).toBe(true);
    expect(siteFitsAccountType('hk', 0)).toBe(false);
    expect(siteFitsAccountType('cn', 1)).toBe(false);
    expect(siteFitsAccountType('us', 1)).toBe(true);
  });
});
