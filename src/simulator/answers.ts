// The error bodies, word for word as iptag/jimeng-api builds them (lib/error-handler.ts,
// api/consts/exceptions.ts, controllers/*.ts). Every error is HTTP 200 with a negative code.

export interface ErrorBody {
  code: number;
  message: string;
  data: null;
}

const body = (code: number, message: string): ErrorBody => ({ code, message, data: null });

/** Upstream `ret` not mapped to a dedicated code: folded into -2001 with the ret in the text. */
export const requestFailed = (errmsg: string, ret: number | string) =>
  body(-2001, `[请求失败]: ${errmsg} (错误码: ${ret})`);

export const answers = {
  /** ret 1015: the session is unknown to the site's login service (expired, or wrong site prefix). */
  loginInvalid: () => body(-2002, '[登录失效]: check login error。请重新获取refresh_token并更新配置'),
  /** ret 5000: the balance does not cover the pre-deduction. */
  creditsShort: () =>
    body(
      -2009,
      '[积分不足]: credit prededuct not enough。建议：1)尝试使用1024x1024分辨率，2)检查是否需要购买积分，3)确认账户状态正常',
    ),
  /** Balance 0 and the automatic daily claim failed (images -2009, video -2008). */
  creditsExhausted: (kind: 'image' | 'video') =>
    body(
      kind === 'image' ? -2009 : -2008,
      '积分不足且无法自动收取。请访问即梦官网手动收取首次积分，或检查账户状态。',
    ),
  banned: () => requestFailed('account punish limit ai generate', 1018),
  regionRefused: () => requestFailed('region not allow', 3000),
  riskRejected: () => requestFailed('生成失败，疑似存在异常行为，请重新尝试', 4013),
  /** A task that ended in status 30 with a fail_code. */
  taskFailed: (kind: 'image' | 'video', failCode: string) =>
    kind === 'image'
      ? body(-2007, `图像生成失败，状态码: 30，错误码: ${failCode}`)
      : body(-2008, `视频生成失败，状态码: 30，错误码: ${failCode}`),
  /** ret 5001 / 5002. */
  generationFailed: (kind: 'image' | 'video') =>
    kind === 'image'
      ? body(-2007, '[生成失败]: generate failed')
      : body(-2008, '[视频生成失败]: generate failed'),
  /** Route-level validation (Request.validate). */
  paramInvalid: (key: string) => body(-2000, `Params ${key} invalid`),
  /** Any plain Error thrown by the server (validation texts, model × site). */
  systemError: (message: string) => body(-1000, message),
};

export const claimErrors = {
  refused: '[请求失败]: shark check reject (错误码: -4)',
  alreadyClaimed: '[请求失败]: param error (错误码: 34010100)',
};
