import { classifyJimengError, parseRetryAfter, parseUpstreamCode } from '../../../src/jimeng/classify';
import type { JimengErrorSource } from '../../../src/jimeng/classify';
import type { JimengErrorClass } from '../../../src/jimeng/gateway';

type Row = [string, JimengErrorSource, JimengErrorClass, (string | number)?];
const r = (code: number, message: string, operation?: 'receive'): JimengErrorSource => ({
  kind: 'response',
  code,
  message,
  operation,
});

// One fixture per code and message of jimeng-protocol.md §3.2–3.4 (texts as the servers write them).
const table: Row[] = [
  // §3.2 server codes
  [
    '-1000 size rejected',
    r(-1000, '不支持的参数: size。请使用 ratio 和 resolution 参数控制图像尺寸。'),
    'BAD_REQUEST',
  ],
  ['-1000 bad ratio', r(-1000, '在 "2k" 分辨率下，不支持的比例 "5:4"。支持的比例: 1:1, 4:3'), 'BAD_REQUEST'],
  ['-1000 bad duration', r(-1000, '3.5-pro 模型仅支持 5、10、12 秒时长，当前值: 7'), 'BAD_REQUEST'],
  ['-1000 too many images', r(-1000, '最多支持10张输入图片'), 'BAD_REQUEST'],
  ['-1000 duration must be integer (en)', r(-1000, 'duration must be an integer'), 'BAD_REQUEST'],
  ['-1000 intl model', r(-1000, '国际版不支持模型 "jimeng-3.1"。支持的模型: jimeng-4.5'), 'SITE_MISMATCH'],
  ['-1000 cn nanobanana', r(-1000, '国内站不支持nanobanana模型,请使用jimeng系列模型'), 'SITE_MISMATCH'],
  ['-1000 unknown route', r(-1000, '[请求有误]: 正确请求为 POST -> /v1/images/generations'), 'BAD_REQUEST'],
  ['-1000 network timeout', r(-1000, 'timeout of 45000ms exceeded'), 'TIMEOUT'],
  [
    '-1000 crash on HTML',
    r(-1000, "Cannot read properties of undefined (reading 'data')"),
    'UPSTREAM_FAILED',
  ],
  ['-2000 params', r(-2000, 'Params body.prompt invalid'), 'BAD_REQUEST'],
  ['-2000 ret 4002', r(-2000, '[参数错误]: invalid param'), 'BAD_REQUEST'],
  ['-2001 generic ret', r(-2001, '[请求失败]: something odd (错误码: 9999)'), 'UPSTREAM_FAILED', 9999],
  ['-2001 upload failure', r(-2001, '上传文件失败: 状态码 500'), 'UPSTREAM_FAILED'],
  ['-2001 CN image safety', r(-2001, '图片内容检测未通过'), 'CONTENT_REJECTED'],
  [
    '-2002 ret 1015',
    r(-2002, '[登录失效]: check login error。请重新获取refresh_token并更新配置'),
    'SESSION_INVALID',
  ],
  ['-2003 url', r(-2003, '远程文件URL非法'), 'BAD_REQUEST'],
  ['-2004 size', r(-2004, '远程文件超出大小'), 'BAD_REQUEST'],
  ['-2006 ret 4001', r(-2006, '[内容违规]: content risk'), 'CONTENT_REJECTED'],
  ['-2007 status 30 empty fail_code', r(-2007, '图像生成失败，状态码: 30'), 'UPSTREAM_FAILED'],
  ['-2007 record missing', r(-2007, '记录ID不存在'), 'UPSTREAM_FAILED'],
  ['-2007 poll timeout', r(-2007, '生成超时且无结果，状态码: 20，历史ID: 123'), 'TIMEOUT'],
  ['-2007 wrapped login failure', r(-2007, '图片上传失败: [登录失效]: check login error'), 'SESSION_INVALID'],
  ['-2008 video status 30', r(-2008, '视频生成失败，状态码: 30，错误码: 5002'), 'UPSTREAM_FAILED', 5002],
  [
    '-2008 video credits',
    r(-2008, '积分不足且无法自动收取。请访问即梦官网手动收取首次积分，或检查账户状态。'),
    'INSUFFICIENT_CREDITS',
  ],
  [
    '-2009 ret 5000',
    r(-2009, '[积分不足]: credit prededuct not enough。建议：1)尝试使用1024x1024分辨率'),
    'INSUFFICIENT_CREDITS',
  ],
  [
    '-2009 claim failed',
    r(-2009, '积分不足且无法自动收取。请访问即梦官网手动收取首次积分，或检查账户状态。'),
    'INSUFFICIENT_CREDITS',
  ],
  // §3.3 upstream ret codes
  ['ret 1015 (en)', r(-2001, '[请求失败]: login error (错误码: 1015)'), 'SESSION_INVALID', 1015],
  [
    'ret 5000 folded',
    r(-2001, '[请求失败]: credit prededuct not enough (错误码: 5000)'),
    'INSUFFICIENT_CREDITS',
    5000,
  ],
  ['ret 1006', r(-2001, '[请求失败]: 积分不足 (错误码: 1006)'), 'INSUFFICIENT_CREDITS', 1006],
  [
    'ret 1006 starling key',
    r(-2001, 'web_dre_m10n_generate_popup_credit_ininsufficient_title'),
    'INSUFFICIENT_CREDITS',
  ],
  ['ret 4001 folded', r(-2001, '[请求失败]: content violation (错误码: 4001)'), 'CONTENT_REJECTED', 4001],
  ['ret 4002', r(-2001, '[请求失败]: param error (错误码: 4002)'), 'BAD_REQUEST', 4002],
  ['ret 1000', r(-2001, '[请求失败]: invalid parameter (错误码: 1000)'), 'BAD_REQUEST', 1000],
  ['ret 5001', r(-2007, '[生成失败]: generate failed (错误码: 5001)'), 'UPSTREAM_FAILED', 5001],
  ['ret 5002', r(-2008, '[视频生成失败]: generate failed'), 'UPSTREAM_FAILED'],
  ['ret 3000', r(-2001, '[请求失败]: region not allow (错误码: 3000)'), 'SITE_MISMATCH', 3000],
  ['ret 3018', r(-2001, '[请求失败]: permission denied (错误码: 3018)'), 'UPSTREAM_FAILED', 3018],
  ['ret 1019', r(-2001, '[请求失败]: shark not pass (错误码: 1019)'), 'RATE_LIMITED', 1019],
  [
    'ret 4013',
    r(-2001, '[请求失败]: 生成失败，疑似存在异常行为，请重新尝试 (错误码: 4013)'),
    'RATE_LIMITED',
    4013,
  ],
  ['ret 4013 key only', r(-2001, 'web_risk_control_message_reject_generation'), 'RATE_LIMITED'],
  [
    'ret -4 on receive',
    r(-2001, '[请求失败]: shark check reject (错误码: -4)', 'receive'),
    'ACCOUNT_BANNED',
    -4,
  ],
  [
    'ret 34010100',
    r(-2001, '[请求失败]: param error (错误码: 34010100)', 'receive'),
    'BAD_REQUEST',
    34010100,
  ],
  [
    'ret 1018',
    r(-2001, '[请求失败]: account punish limit ai generate (错误码: 1018)'),
    'ACCOUNT_BANNED',
    1018,
  ],
  ['frequency text', r(-2001, '[请求频率限制]: 请求过于频繁，请稍后重试'), 'RATE_LIMITED'],
  ['network timeout text', r(-2001, '[请求超时]: 网络请求超时，请稍后重试'), 'TIMEOUT'],
  // §3.4 task failures
  ['fail_code 2038', r(-2007, '图像生成失败，状态码: 30，错误码: 2038'), 'CONTENT_REJECTED', 2038],
  ['fail_code 2038 text', r(-2007, '你输入的文字不符合平台规则'), 'CONTENT_REJECTED'],
  ['fail_code 2039', r(-2007, '图像生成失败，状态码: 30，错误码: 2039'), 'CONTENT_REJECTED', 2039],
  ['fail_code 2040', r(-2008, '视频生成失败，状态码: 30，错误码: 2040'), 'CONTENT_REJECTED', 2040],
  ['fail_code 2047', r(-2008, '视频生成失败，状态码: 30，错误码: 2047'), 'CONTENT_REJECTED', 2047],
  ['fail_code 1017', r(-2007, '图像生成失败，状态码: 30，错误码: 1017'), 'SITE_MISMATCH', 1017],
  ['fail_code 121212', r(-2007, '图像生成失败，状态码: 30，错误码: 121212'), 'UPSTREAM_FAILED', 121212],
  ['key community guidelines', r(-2007, 'web_text_violates_community_guidelines_toast'), 'CONTENT_REJECTED'],
  ['key copyright', r(-2007, 'web_fail2generate_copyright_block'), 'CONTENT_REJECTED'],
  ['key input text risk', r(-2007, 'InputTextRisk'), 'CONTENT_REJECTED'],
  ['key output video risk', r(-2008, 'outputvideorisk'), 'CONTENT_REJECTED'],
  ['text 未通过审核', r(-2007, '内容未通过审核'), 'CONTENT_REJECTED'],
  ['key account_block', r(-2007, 'web_account_block_notice'), 'ACCOUNT_BANNED'],
  ['key risk_notification', r(-2007, 'risk_notification'), 'ACCOUNT_BANNED'],
  ['text 账号已被封禁', r(-2007, '账号已被封禁'), 'ACCOUNT_BANNED'],
  ['text 异常行为 (account)', r(-2007, '账号存在异常行为'), 'ACCOUNT_BANNED'],
  ['daily_usage_limit', r(-2007, 'daily_usage_limit'), 'RATE_LIMITED'],
  ['每日使用上限', r(-2007, '已达到每日使用上限'), 'RATE_LIMITED'],
  // transport (§3.1, §3.5 step 1)
  [
    'own deadline',
    { kind: 'transport', cause: 'deadline', message: 'deadline', requestSent: true },
    'TIMEOUT',
  ],
  [
    'caller cancel',
    { kind: 'transport', cause: 'cancelled', message: 'cancelled', requestSent: true },
    'TIMEOUT',
  ],
  [
    'connection broken',
    { kind: 'transport', cause: 'network', message: 'other side closed', requestSent: true },
    'TIMEOUT',
  ],
  [
    'server down',
    { kind: 'transport', cause: 'network', message: 'ECONNREFUSED', requestSent: false },
    'UPSTREAM_FAILED',
  ],
  ['proxy 429', { kind: 'http-status', status: 429, retryAfter: '7', requestSent: true }, 'RATE_LIMITED'],
  ['proxy 502', { kind: 'http-status', status: 502, requestSent: true }, 'UPSTREAM_FAILED'],
  ['proxy 504', { kind: 'http-status', status: 504, requestSent: true }, 'TIMEOUT'],
];

describe('classifyJimengError', () => {
  // A rest parameter keeps jest from taking the optional last column for a `done` callback.
  it.each(table)('%s', (...row: Row) => {
    const [, source, errorClass, upstreamCode] = row;
    const failure = classifyJimengError(source, 0);
    expect(failure.errorClass).toBe(errorClass);
    if (upstreamCode !== undefined) expect(failure.upstreamCode).toBe(upstreamCode);
    if (source.kind === 'response') {
      expect(failure.serverCode).toBe(source.code);
      expect(failure.message).toBe(source.message);
    }
  });

  it('keeps a non-numeric fail_code as a string', () => {
    expect(parseUpstreamCode('视频生成失败，状态码: 30，错误码: abc_risk')).toBe('abc_risk');
    expect(parseUpstreamCode('no code here')).toBeUndefined();
  });

  it('says a task may be running only when the upstream may have accepted it', () => {
    const submitted = (source: JimengErrorSource) => classifyJimengError(source, 0).submitted;
    expect(submitted({ kind: 'transport', cause: 'deadline', message: '', requestSent: true })).toBe(true);
    expect(submitted({ kind: 'transport', cause: 'deadline', message: '', requestSent: false })).toBe(false);
    expect(submitted(r(-2007, '图像生成失败，状态码: 30，错误码: 2038'))).toBe(true);
    expect(submitted(r(-2007, '生成超时且无结果，状态码: 20'))).toBe(true);
    expect(submitted(r(-2002, '[登录失效]: check login error'))).toBe(false);
    expect(submitted(r(-2001, '[请求失败]: 生成失败，疑似存在异常行为，请重新尝试 (错误码: 4013)'))).toBe(
      false,
    );
    expect(submitted({ kind: 'http-status', status: 429, requestSent: true })).toBe(false);
  });

  it('turns Retry-After into retryAfterMs (seconds or HTTP date)', () => {
    const failure = classifyJimengError(
      { kind: 'http-status', status: 429, retryAfter: '7', requestSent: true },
      0,
    );
    expect(failure.retryAfterMs).toBe(7000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(classifyJimengError(r(-2001, '[请求失败]: x (错误码: 4013)'), 0).retryAfterMs).toBeUndefined();
  });
});
