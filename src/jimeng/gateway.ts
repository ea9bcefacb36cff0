// The port through which the orchestrator asks a Jimeng / Dreamina server for images and videos.
// Vendor-neutral on purpose: adapters (HTTP today, maybe the official Volcengine API later) translate.

export type Site = 'cn' | 'us' | 'hk' | 'jp' | 'sg';

export const SITES: readonly Site[] = ['cn', 'us', 'hk', 'jp', 'sg'];

export type GenerationKind = 'image' | 'video';

/** One web session of one account, tried on one site. */
export interface JimengSession {
  /** The bare `sessionid` cookie value, without site or proxy prefix. A secret: never log it. */
  sessionId: string;
  site: Site;
  /** Per-account egress proxy (`http(s)://…`, `socks4://…`, `socks5://…`), if the account has one. */
  proxy?: string;
}

export type JimengErrorClass =
  | 'SITE_MISMATCH'
  | 'RATE_LIMITED'
  | 'INSUFFICIENT_CREDITS'
  | 'SESSION_INVALID'
  | 'ACCOUNT_BANNED'
  | 'CONTENT_REJECTED'
  | 'BAD_REQUEST'
  | 'TIMEOUT'
  | 'UPSTREAM_FAILED';

export interface JimengFailure {
  errorClass: JimengErrorClass;
  /** The server's negative `code`, when the server answered with an error body. */
  serverCode?: number;
  /** The upstream `ret` / `fail_code` found in the message (`错误码: …`); numeric codes as numbers. */
  upstreamCode?: string | number;
  message: string;
  /**
   * Whether the upstream may have accepted the work (it may still run, and bill). True for a deadline
   * or broken connection after the request was sent, and for failures of an accepted task.
   */
  submitted: boolean;
  /** Present only when the answer carried a hint (e.g. `Retry-After`). */
  retryAfterMs?: number;
}

export interface ImageGenerationParams {
  model?: string;
  prompt: string;
  ratio?: string;
  resolution?: string;
  negativePrompt?: string;
  /** 0–1. */
  sampleStrength?: number;
  intelligentRatio?: boolean;
}

/** An input image: a URL the server downloads, or bytes sent as a multipart file. */
export type InputImage = string | { bytes: Uint8Array; filename?: string; contentType?: string };

export interface ImageCompositionParams extends ImageGenerationParams {
  /** 1–10 images. */
  images: InputImage[];
}

export interface VideoGenerationParams {
  model?: string;
  prompt: string;
  ratio?: string;
  resolution?: string;
  /** Seconds. */
  duration?: number;
  firstFrameUrl?: string;
  /** Only together with `firstFrameUrl`. */
  lastFrameUrl?: string;
}

export interface CallOptions {
  /** Cancels the call (the upstream task, if submitted, may still run). */
  signal?: AbortSignal;
  /** Overrides the adapter's default deadline for this call. */
  deadlineMs?: number;
}

export type GenerationResult =
  { ok: true; urls: string[]; elapsedMs: number } | { ok: false; error: JimengFailure; elapsedMs: number };

export interface Credits {
  gift: number;
  purchase: number;
  vip: number;
  total: number;
}

export type SessionCheckResult = { ok: true; live: boolean } | { ok: false; error: JimengFailure };

export type CreditsResult = { ok: true; credits: Credits } | { ok: false; error: JimengFailure };

export type CreditClaimResult =
  | {
      ok: true;
      /** Balance after the attempt. */
      credits: Credits;
      received: boolean;
      /** Why the claim was refused, when it was tried and failed (e.g. `-4` risk → ACCOUNT_BANNED). */
      claimError?: JimengFailure;
    }
  | { ok: false; error: JimengFailure };

/** Upstream failures come back as `ok: false` values; the methods do not throw for them. */
export interface JimengGateway {
  generateImages(
    session: JimengSession,
    params: ImageGenerationParams,
    options?: CallOptions,
  ): Promise<GenerationResult>;
  composeImages(
    session: JimengSession,
    params: ImageCompositionParams,
    options?: CallOptions,
  ): Promise<GenerationResult>;
  generateVideo(
    session: JimengSession,
    params: VideoGenerationParams,
    options?: CallOptions,
  ): Promise<GenerationResult>;
  checkSession(session: JimengSession, options?: CallOptions): Promise<SessionCheckResult>;
  getCredits(session: JimengSession, options?: CallOptions): Promise<CreditsResult>;
  /** Tries the daily credit claim (the server only claims when the balance is 0). */
  receiveCredits(session: JimengSession, options?: CallOptions): Promise<CreditClaimResult>;
}

export const JIMENG_GATEWAY = Symbol.for('JimengGateway');
