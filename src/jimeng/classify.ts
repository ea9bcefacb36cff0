// Turns whatever a jimeng-api call ended with into one error class (jimeng-protocol.md §3.5).
// The server answers HTTP 200 for every error with a negative `code`; the upstream cause is only
// visible inside `message` (`错误码: …`, `状态码: 30`), so most of the work is reading that text.
import type { JimengErrorClass, JimengFailure } from './gateway';

export type JimengOperation = 'generate' | 'check' | 'points' | 'receive';

export type JimengErrorSource =
  /** The server answered with an error body `{code, message}` (or an `error` text without code). */
  | { kind: 'response'; code?: number; message: string; operation?: JimengOperation }
  /** A non-200 status (only a proxy or load balancer in front of the server produces these). */
  | { kind: 'http-status'; status: number; retryAfter?: string; body?: string; requestSent: boolean }
  /** No answer: our deadline, the caller's cancellation, or a broken connection. */
  | {
      kind: 'transport';
      cause: 'deadline' | 'cancelled' | 'network';
      message: string;
      requestSent: boolean;
    };

type Rule = { errorClass: JimengErrorClass; test: RegExp };

const BY_SERVER_CODE: Record<number, JimengErrorClass> = {
  [-2000]: 'BAD_REQUEST',
  [-1001]: 'BAD_REQUEST',
  [-1002]: 'BAD_REQUEST',
  [-2002]: 'SESSION_INVALID',
  [-2003]: 'BAD_REQUEST',
  [-2004]: 'BAD_REQUEST',
  [-2006]: 'CONTENT_REJECTED',
  [-2009]: 'INSUFFICIENT_CREDITS',
};

const BY_UPSTREAM_CODE: Record<string, JimengErrorClass> = {
  '1015': 'SESSION_INVALID',
  '5000': 'INSUFFICIENT_CREDITS',
  '1006': 'INSUFFICIENT_CREDITS',
  '1018': 'ACCOUNT_BANNED',
  '4013': 'RATE_LIMITED',
  '1019': 'RATE_LIMITED',
  '3000': 'SITE_MISMATCH',
  '1017': 'SITE_MISMATCH',
  '4001': 'CONTENT_REJECTED',
  '2038': 'CONTENT_REJECTED',
  '2039': 'CONTENT_REJECTED',
  '2040': 'CONTENT_REJECTED',
  '2047': 'CONTENT_REJECTED',
  '4002': 'BAD_REQUEST',
  '1000': 'BAD_REQUEST',
  '34010100': 'BAD_REQUEST',
  '3018': 'UPSTREAM_FAILED',
  '5001': 'UPSTREAM_FAILED',
  '5002': 'UPSTREAM_FAILED',
  '121212': 'UPSTREAM_FAILED',
};

// Order matters: the first match wins. Texts come from the server's wrappers and from upstream
// `errmsg` / `fail_starling_key` values, in Chinese and English.
const BY_TEXT: Rule[] = [
  { errorClass: 'SESSION_INVALID', test: /登录失效|login error|sessionid cookie not found/i },
  { errorClass: 'INSUFFICIENT_CREDITS', test: /积分不足|credit prededuct not enough|credit_ininsufficient/i },
  // The 4013 text also says "异常行为"; it is a per-request risk rejection, so it cools, not bans.
  {
    errorClass: 'RATE_LIMITED',
    test: /疑似存在异常行为|reject_generation|shark not pass|请求频率|频繁|daily_usage_limit|每日使用上限|too many requests|rate.?limit/i,
  },
  {
    errorClass: 'ACCOUNT_BANNED',
    test: /账号已被封禁|account_block|account punish|risk_notification|risk_control|异常行为/i,
  },
  { errorClass: 'SITE_MISMATCH', test: /国际版不支持模型|国内站不支持|region not allow/i },
  {
    errorClass: 'CONTENT_REJECTED',
    test: /图片内容检测未通过|平台规则|未通过审核|不符合|内容违规|violates_community_guidelines|fail2generate_input|copyright_block|inputtextrisk|inputimagerisk|outputimagerisk|outputvideorisk/i,
  },
  { errorClass: 'TIMEOUT', test: /timeout|timed out|ECONNABORTED|生成超时|请求超时|超时/i },
];

// -1000 is any plain Error in the server: only its text tells a validation error from a crash.
const BAD_REQUEST_TEXT =
  /不支持|仅支持|must|invalid|必须|格式错误|最多|至少|缺少|请使用|Params .* invalid|参数错误|请求有误|param error/i;

// Failures of a task the upstream had accepted (status 30, lost record, poll timeout).
const TASK_LEVEL_TEXT = /状态码[:：]\s*\d+|记录ID不存在|记录不存在|生成超时|未能获取视频URL|item_list/;

const UPSTREAM_CODE = /错误码[:：]\s*(-?[0-9A-Za-z_]+)/;
const TASK_FAILED = /状态码[:：]\s*30\b/;

/** The `错误码` (upstream `ret` or task `fail_code`) in a server message; numeric codes as numbers. */
export function parseUpstreamCode(message: string): string | number | undefined {
  const match = UPSTREAM_CODE.exec(message);
  if (!match) return undefined;
  const raw = match[1];
  return /^-?\d+$/.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : raw;
}

/** Whether the message reports a task that ended in status 30 (failed after being accepted). */
export function isTaskFailure(message: string): boolean {
  return TASK_FAILED.test(message);
}

/** `Retry-After` as milliseconds (seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function classifyResponse(
  code: number | undefined,
  message: string,
  operation: JimengOperation | undefined,
  upstreamCode: string | number | undefined,
): JimengErrorClass {
  const byServer = code === undefined ? undefined : BY_SERVER_CODE[code];
  if (byServer) return byServer;
  if (upstreamCode !== undefined) {
    const key = String(upstreamCode);
    // -4 "shark check reject" refuses the daily check-in of a risk-flagged account.
    if (key === '-4' && operation === 'receive') return 'ACCOUNT_BANNED';
    const byUpstream = BY_UPSTREAM_CODE[key];
    if (byUpstream) return byUpstream;
  }
  for (const rule of BY_TEXT) {
    if (rule.test.test(message)) return rule.errorClass;
  }
  if (code === -1000 && BAD_REQUEST_TEXT.test(message)) return 'BAD_REQUEST';
  return 'UPSTREAM_FAILED';
}

export function classifyJimengError(source: JimengErrorSource, nowMs: number = Date.now()): JimengFailure {
  switch (source.kind) {
    case 'response': {
      const upstreamCode = parseUpstreamCode(source.message);
      const errorClass = classifyResponse(source.code, source.message, source.operation, upstreamCode);
      const submitted = errorClass === 'TIMEOUT' || TASK_LEVEL_TEXT.test(source.message);
      return {
        errorClass,
        ...(source.code !== undefined ? { serverCode: source.code } : {}),
        ...(upstreamCode !== undefined ? { upstreamCode } : {}),
        message: source.message,
        submitted,
      };
    }
    case 'http-status': {
      const retryAfterMs = parseRetryAfter(source.retryAfter, nowMs);
      const errorClass: JimengErrorClass =
        source.status === 429 ? 'RATE_LIMITED' : source.status === 504 ? 'TIMEOUT' : 'UPSTREAM_FAILED';
      const excerpt = source.body ? `: ${source.body.slice(0, 200)}` : '';
      return {
        errorClass,
        message: `HTTP ${source.status}${excerpt}`,
        // A 429 is refused before any work; a gateway error after sending may hide a running task.
        submitted: source.status !== 429 && source.requestSent,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    }
    case 'transport': {
      // Before the request left, nothing can be running upstream: the server is unreachable.
      const errorClass: JimengErrorClass =
        source.cause === 'network' && !source.requestSent ? 'UPSTREAM_FAILED' : 'TIMEOUT';
      return { errorClass, message: source.message, submitted: source.requestSent };
    }
  }
}
