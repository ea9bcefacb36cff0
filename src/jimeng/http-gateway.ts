// JimengGateway over the jimeng-api HTTP protocol (iptag/jimeng-api and compatible servers).
import { Agent, FormData } from 'undici';
import type { Dispatcher } from 'undici';
import { classifyJimengError } from './classify';
import type { JimengErrorSource, JimengOperation } from './classify';
import type {
  CallOptions,
  CreditClaimResult,
  Credits,
  CreditsResult,
  GenerationKind,
  GenerationResult,
  ImageCompositionParams,
  ImageGenerationParams,
  JimengFailure,
  JimengGateway,
  JimengSession,
  SessionCheckResult,
  VideoGenerationParams,
} from './gateway';
import { exchange } from './http-exchange';
import type { ExchangeOutcome } from './http-exchange';
import { DEFAULT_IMAGE_MODEL, DEFAULT_VIDEO_MODEL, validateGenerationParams } from './models';

export interface HttpJimengGatewayOptions {
  /** Base URL of the jimeng-api server, e.g. `http://127.0.0.1:5100`. */
  baseUrl: string;
  /** Per-call deadlines; a call that has not answered by then ends as TIMEOUT. */
  deadlines?: { imageMs?: number; videoMs?: number; probeMs?: number };
  /** Sockets kept to the server; each long call holds one for its whole duration. */
  connections?: number;
  /** Check model × site and parameters before sending (the server silently swaps some). */
  validate?: boolean;
  /** Use this dispatcher instead of an own pool (it is then not closed by `close`). */
  dispatcher?: Dispatcher;
  maxAnswerBytes?: number;
}

export const DEFAULT_DEADLINES = { imageMs: 15 * 60_000, videoMs: 30 * 60_000, probeMs: 60_000 } as const;
const DEFAULT_CONNECTIONS = 512;

/** The Bearer value for exactly one session: `[proxy@][site-]sessionid`. */
export function bearerFor(session: JimengSession): string {
  const sitePrefix = session.site === 'cn' ? '' : `${session.site}-`;
  const proxyPrefix = session.proxy ? `${session.proxy}@` : '';
  return `${proxyPrefix}${sitePrefix}${session.sessionId}`;
}

type Answer = { ok: true; body: unknown } | { ok: false; error: JimengFailure };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isErrorBody(body: unknown): body is { code: number; message?: unknown } {
  return isRecord(body) && typeof body.code === 'number' && body.code < 0;
}

function malformed(message: string, submitted: boolean): JimengFailure {
  return { errorClass: 'UPSTREAM_FAILED', message, submitted };
}

function stripUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function readCredits(value: unknown): Credits | undefined {
  if (!isRecord(value)) return undefined;
  const number = (key: string) => (typeof value[key] === 'number' ? (value[key] as number) : 0);
  if (typeof value.totalCredit !== 'number') return undefined;
  return {
    gift: number('giftCredit'),
    purchase: number('purchaseCredit'),
    vip: number('vipCredit'),
    total: number('totalCredit'),
  };
}

export class HttpJimengGateway implements JimengGateway {
  private readonly baseUrl: URL;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly deadlines: { imageMs: number; videoMs: number; probeMs: number };
  private readonly validate: boolean;
  private readonly maxAnswerBytes: number;

  constructor(options: HttpJimengGatewayOptions) {
    this.baseUrl = new URL(options.baseUrl);
    this.deadlines = { ...DEFAULT_DEADLINES, ...stripUndefined(options.deadlines ?? {}) };
    this.validate = options.validate ?? true;
    this.maxAnswerBytes = options.maxAnswerBytes ?? 64 * 1024 * 1024;
    this.ownsDispatcher = options.dispatcher === undefined;
    // headersTimeout / bodyTimeout are off: the server answers only when the work is done, which can
    // take many minutes. The per-call deadline is what bounds a call.
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        connections: options.connections ?? DEFAULT_CONNECTIONS,
        headersTimeout: 0,
        bodyTimeout: 0,
        connectTimeout: 10_000,
        keepAliveTimeout: 30_000,
      });
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  generateImages(
    session: JimengSession,
    params: ImageGenerationParams,
    options: CallOptions = {},
  ): Promise<GenerationResult> {
    return this.generate('image', session, params, options, () =>
      JSON.stringify(this.imageFields(params, (value) => value)),
    );
  }

  composeImages(
    session: JimengSession,
    params: ImageCompositionParams,
    options: CallOptions = {},
  ): Promise<GenerationResult> {
    const withBytes = params.images.filter((image) => typeof image !== 'string').length;
    if (withBytes > 0 && withBytes < params.images.length) {
      const error: JimengFailure = {
        errorClass: 'BAD_REQUEST',
        message: 'input images must be all URLs or all bytes (the multipart form carries files only)',
        submitted: false,
      };
      return Promise.resolve({ ok: false, error, elapsedMs: 0 });
    }
    return this.generate(
      'image',
      session,
      params,
      options,
      () => (withBytes > 0 ? this.compositionForm(params) : this.compositionJson(params)),
      '/v1/images/compositions',
    );
  }

  generateVideo(
    session: JimengSession,
    params: VideoGenerationParams,
    options: CallOptions = {},
  ): Promise<GenerationResult> {
    const framePaths = [params.firstFrameUrl, params.lastFrameUrl].filter((url): url is string => !!url);
    return this.generate('video', session, params, options, () =>
      JSON.stringify(
        stripUndefined({
          model: params.model ?? DEFAULT_VIDEO_MODEL,
          prompt: params.prompt,
          ratio: params.ratio,
          resolution: params.resolution,
          duration: params.duration,
          file_paths: framePaths.length > 0 ? framePaths : undefined,
          response_format: 'url',
        }),
      ),
    );
  }

  async checkSession(session: JimengSession, options: CallOptions = {}): Promise<SessionCheckResult> {
    // /token/check answers live:false for every international session (jimeng-api issue #78), so
    // for those sites a successful balance query is the liveness test.
    if (session.site !== 'cn') {
      const credits = await this.getCredits(session, options);
      if (credits.ok) return { ok: true, live: true };
      if (credits.error.errorClass === 'SESSION_INVALID') return { ok: true, live: false };
      return credits;
    }
    const answer = await this.call('/token/check', session, JSON.stringify({ token: bearerFor(session) }), {
      deadlineMs: options.deadlineMs ?? this.deadlines.probeMs,
      signal: options.signal,
      operation: 'check',
      authorize: false,
    });
    if (!answer.ok) return answer;
    if (!isRecord(answer.body) || typeof answer.body.live !== 'boolean') {
      return { ok: false, error: malformed('unexpected /token/check answer', false) };
    }
    return { ok: true, live: answer.body.live };
  }

  async getCredits(session: JimengSession, options: CallOptions = {}): Promise<CreditsResult> {
    const answer = await this.probe('/token/points', 'points', session, options);
    if (!answer.ok) return answer;
    const credits = readCredits(isRecord(answer.entry) ? answer.entry.points : undefined);
    if (!credits) return { ok: false, error: malformed('unexpected /token/points answer', false) };
    return { ok: true, credits };
  }

  async receiveCredits(session: JimengSession, options: CallOptions = {}): Promise<CreditClaimResult> {
    const answer = await this.probe('/token/receive', 'receive', session, options);
    if (!answer.ok) return answer;
    const entry = isRecord(answer.entry) ? answer.entry : {};
    const credits = readCredits(entry.credits);
    if (!credits) return { ok: false, error: malformed('unexpected /token/receive answer', false) };
    const received = entry.received === true;
    if (typeof entry.error === 'string' && entry.error !== '') {
      const claimError = classifyJimengError({
        kind: 'response',
        message: entry.error,
        operation: 'receive',
      });
      return { ok: true, credits, received, claimError };
    }
    return { ok: true, credits, received };
  }

  private imageFields(params: ImageGenerationParams, asField: (value: unknown) => unknown) {
    return stripUndefined({
      model: params.model ?? DEFAULT_IMAGE_MODEL,
      prompt: params.prompt,
      ratio: params.ratio,
      resolution: params.resolution,
      negative_prompt: params.negativePrompt,
      sample_strength: params.sampleStrength === undefined ? undefined : asField(params.sampleStrength),
      intelligent_ratio: params.intelligentRatio === undefined ? undefined : asField(params.intelligentRatio),
      response_format: 'url',
    });
  }

  private compositionJson(params: ImageCompositionParams): string {
    return JSON.stringify({ ...this.imageFields(params, (value) => value), images: params.images });
  }

  private compositionForm(params: ImageCompositionParams): FormData {
    const form = new FormData();
    for (const [name, value] of Object.entries(this.imageFields(params, String))) {
      form.append(name, String(value));
    }
    params.images.forEach((image, index) => {
      if (typeof image === 'string') return;
      const type = image.contentType ?? 'image/png';
      form.append(
        'images',
        new Blob([new Uint8Array(image.bytes)], { type }),
        image.filename ?? `image-${index + 1}`,
      );
    });
    return form;
  }

  private async generate(
    kind: GenerationKind,
    session: JimengSession,
    params: ImageGenerationParams | ImageCompositionParams | VideoGenerationParams,
    options: CallOptions,
    body: () => string | FormData,
    path = kind === 'image' ? '/v1/images/generations' : '/v1/videos/generations',
  ): Promise<GenerationResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    if (this.validate) {
      const problems = validateGenerationParams(kind, params as never, session.site);
      if (problems.length > 0) {
        const error: JimengFailure = {
          errorClass: problems.some((problem) => problem.siteMismatch) ? 'SITE_MISMATCH' : 'BAD_REQUEST',
          message: problems.map((problem) => problem.message).join('; '),
          submitted: false,
        };
        return { ok: false, error, elapsedMs: elapsed() };
      }
    }
    const answer = await this.call(path, session, body(), {
      deadlineMs: options.deadlineMs ?? (kind === 'image' ? this.deadlines.imageMs : this.deadlines.videoMs),
      signal: options.signal,
      operation: 'generate',
      authorize: true,
    });
    if (!answer.ok) return { ok: false, error: answer.error, elapsedMs: elapsed() };
    const data = isRecord(answer.body) && Array.isArray(answer.body.data) ? answer.body.data : [];
    const urls = data
      .map((item: unknown) => (isRecord(item) && typeof item.url === 'string' ? item.url : undefined))
      .filter((url): url is string => url !== undefined);
    if (urls.length === 0) {
      return { ok: false, error: malformed('answer without result URLs', true), elapsedMs: elapsed() };
    }
    return { ok: true, urls, elapsedMs: elapsed() };
  }

  /** /token/points and /token/receive: one session per call, so one entry in the answer. */
  private async probe(
    path: string,
    operation: JimengOperation,
    session: JimengSession,
    options: CallOptions,
  ): Promise<{ ok: true; entry: unknown } | { ok: false; error: JimengFailure }> {
    const answer = await this.call(path, session, '{}', {
      deadlineMs: options.deadlineMs ?? this.deadlines.probeMs,
      signal: options.signal,
      operation,
      authorize: true,
    });
    if (!answer.ok) return answer;
    if (!Array.isArray(answer.body) || answer.body.length === 0) {
      return { ok: false, error: malformed(`unexpected ${path} answer`, false) };
    }
    return { ok: true, entry: answer.body[0] };
  }

  private async call(
    path: string,
    session: JimengSession,
    body: string | FormData,
    how: { deadlineMs: number; signal?: AbortSignal; operation: JimengOperation; authorize: boolean },
  ): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (typeof body === 'string') headers['content-type'] = 'application/json';
    if (how.authorize) headers.authorization = `Bearer ${bearerFor(session)}`;
    const outcome = await exchange(this.dispatcher, {
      url: new URL(path, this.baseUrl),
      method: 'POST',
      headers,
      body,
      deadlineMs: how.deadlineMs,
      signal: how.signal,
      maxBodyBytes: this.maxAnswerBytes,
    });
    return this.interpret(outcome, how.operation);
  }

  private interpret(outcome: ExchangeOutcome, operation: JimengOperation): Answer {
    if (outcome.kind === 'transport') return { ok: false, error: classifyJimengError(outcome) };
    if (outcome.status !== 200) {
      const source: JimengErrorSource = {
        kind: 'http-status',
        status: outcome.status,
        retryAfter: outcome.headers['retry-after'],
        body: outcome.body,
        requestSent: true,
      };
      return { ok: false, error: classifyJimengError(source) };
    }
    let body: unknown;
    try {
      body = JSON.parse(outcome.body);
    } catch {
      return { ok: false, error: malformed('answer is not JSON', operation === 'generate') };
    }
    if (isErrorBody(body)) {
      const message = typeof body.message === 'string' ? body.message : '';
      return {
        ok: false,
        error: classifyJimengError({ kind: 'response', code: body.code, message, operation }),
      };
    }
    return { ok: true, body };
  }
}
