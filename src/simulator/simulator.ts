// The simulated jimeng-api server's behaviour, independent of HTTP: what a call answers and when.
import { Accounts } from './accounts';
import type { SessionView, SimulatorStats } from './accounts';
import { answers, claimErrors } from './answers';
import type { ErrorBody } from './answers';
import {
  DEFAULT_CONFIG,
  SessionBehaviourPatchSchema,
  SimulatorConfigPatchSchema,
  mergeBehaviour,
  mergeConfig,
} from './behaviour';
import type { SessionBehaviourPatch, SimulatorConfig, SimulatorConfigPatch } from './behaviour';
import { mulberry32, sampleLatencyMs } from './prng';
import type { Random } from './prng';
import { checkRoute, resolveSpec } from './requests';
import type { GenerationInput, GenerationSpec } from './requests';
import { parseToken, splitTokens } from './token';
import type { ParsedToken } from './token';

export type Answer = ErrorBody | Record<string, unknown> | unknown[];

export interface CreditPoints {
  giftCredit: number;
  purchaseCredit: number;
  vipCredit: number;
  totalCredit: number;
}

/** Typed mirror of the control API (`/__sim/...`). Inputs are validated like the HTTP bodies. */
export interface SimulatorControl {
  putSession(sessionId: string, behaviour: SessionBehaviourPatch): Promise<SessionView>;
  getSession(sessionId: string): Promise<SessionView>;
  deleteSession(sessionId: string): Promise<void>;
  putConfig(patch: SimulatorConfigPatch): Promise<SimulatorConfig>;
  getConfig(): Promise<SimulatorConfig>;
  stats(): Promise<SimulatorStats>;
  /** Forgets sessions and statistics, restores the start configuration and its seed. */
  reset(): Promise<void>;
  /** Starts a new credit day at once (daily credits reset). */
  newDay(): Promise<void>;
}

export interface SimulatorOptions {
  config?: SimulatorConfigPatch;
  now?: () => number;
}

const IMAGES_PER_GENERATION = 4;

function errorUpstreamCode(body: ErrorBody): string | undefined {
  return /错误码[:：]\s*(-?\w+)/.exec(body.message)?.[1];
}

export function isErrorAnswer(answer: Answer): answer is ErrorBody {
  return (
    !Array.isArray(answer) && typeof (answer as ErrorBody).code === 'number' && (answer as ErrorBody).code < 0
  );
}

export class Simulator implements SimulatorControl {
  private readonly initialConfig: SimulatorConfig;
  private config: SimulatorConfig;
  private random: Random;
  private readonly accounts: Accounts;
  private readonly timers = new Set<NodeJS.Timeout>();
  private fileCounter = 0;
  private disposed = false;

  constructor(options: SimulatorOptions = {}) {
    this.initialConfig = mergeConfig(DEFAULT_CONFIG, SimulatorConfigPatchSchema.parse(options.config ?? {}));
    this.config = this.initialConfig;
    this.random = mulberry32(this.config.seed);
    this.accounts = new Accounts(() => this.config, options.now ?? Date.now);
  }

  // ---- control ----------------------------------------------------------------------------

  async putSession(sessionId: string, patch: SessionBehaviourPatch): Promise<SessionView> {
    const { balance, ...fields } = SessionBehaviourPatchSchema.parse(patch);
    this.accounts.configure(sessionId, mergeBehaviour(this.config.defaultBehaviour, fields), balance);
    return this.accounts.view(sessionId);
  }

  async getSession(sessionId: string): Promise<SessionView> {
    return this.accounts.view(sessionId);
  }

  async deleteSession(sessionId: string): Promise<void> {
    this.accounts.forget(sessionId);
  }

  async putConfig(patch: SimulatorConfigPatch): Promise<SimulatorConfig> {
    const parsed = SimulatorConfigPatchSchema.parse(patch);
    this.config = mergeConfig(this.config, parsed);
    if (parsed.seed !== undefined) this.random = mulberry32(parsed.seed);
    return this.config;
  }

  async getConfig(): Promise<SimulatorConfig> {
    return this.config;
  }

  async stats(): Promise<SimulatorStats> {
    return this.accounts.stats();
  }

  async reset(): Promise<void> {
    this.config = this.initialConfig;
    this.random = mulberry32(this.config.seed);
    this.accounts.clear();
    this.fileCounter = 0;
  }

  async newDay(): Promise<void> {
    this.accounts.newDay();
  }

  /** Ends every simulated wait; answers still pending are never sent. */
  dispose(): void {
    this.disposed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  // ---- protocol -----------------------------------------------------------------------------

  async generate(input: GenerationInput, origin: string): Promise<Answer> {
    const route = checkRoute(input);
    if (!route.ok) return route.error;
    const token = this.pickToken(route.value.authorization);
    if (!token) return answers.paramInvalid('headers.authorization');
    const spec = resolveSpec(input, token.site);
    const key = token.sessionKey;
    this.accounts.countCall(key);
    const record = (answer: Answer): Answer => {
      if (isErrorAnswer(answer)) this.accounts.countError(key, answer.code, errorUpstreamCode(answer));
      else this.accounts.countSuccess(key);
      return answer;
    };
    if (!spec.ok) return record(spec.error);
    return record(await this.run(token, spec.value, origin));
  }

  async tokenCheck(body: unknown): Promise<Answer> {
    const token = typeof body === 'object' && body !== null ? (body as { token?: unknown }).token : undefined;
    if (typeof token !== 'string') return answers.paramInvalid('body.token');
    const parsed = parseToken(token);
    if (parsed.site !== 'cn' && this.config.intlTokenCheckAlwaysFalse) return { live: false };
    return { live: this.loginError(parsed) === undefined };
  }

  async tokenPoints(authorization: unknown): Promise<Answer> {
    return this.perToken(authorization, (token, parsed) => ({
      token,
      points: this.points(parsed.sessionKey),
    }));
  }

  async tokenReceive(authorization: unknown): Promise<Answer> {
    return this.perToken(authorization, (token, parsed) => {
      const before = this.points(parsed.sessionKey);
      if (before.totalCredit > 0) return { token, credits: before, received: false };
      const outcome = this.accounts.claim(parsed.sessionKey);
      if (outcome === 'claimed') return { token, credits: this.points(parsed.sessionKey), received: true };
      const message = outcome === 'refused' ? claimErrors.refused : claimErrors.alreadyClaimed;
      return { token, credits: before, received: false, error: message };
    });
  }

  // ---- internals ----------------------------------------------------------------------------

  /** One answer per token of the header, in order. */
  private perToken(authorization: unknown, answer: (token: string, parsed: ParsedToken) => unknown): Answer {
    if (typeof authorization !== 'string') return answers.paramInvalid('headers.authorization');
    const result: unknown[] = [];
    // One bad token fails the whole call, as with the real server's Promise.all.
    for (const token of splitTokens(authorization)) {
      const parsed = parseToken(token);
      const error = this.loginError(parsed);
      if (error) return error;
      result.push(answer(token, parsed));
    }
    return result;
  }

  private pickToken(authorization: string): ParsedToken | undefined {
    const tokens = splitTokens(authorization);
    if (tokens.length === 0) return undefined;
    // The real server picks one token at random; seeded here.
    const chosen = tokens.length === 1 ? tokens[0] : tokens[Math.floor(this.random() * tokens.length)];
    return parseToken(chosen);
  }

  private loginError(token: ParsedToken): ErrorBody | undefined {
    const behaviour = this.accounts.behaviourOf(token.sessionKey);
    const known = !behaviour.invalid && behaviour.sites.includes(token.site);
    return known ? undefined : answers.loginInvalid();
  }

  private points(key: string): CreditPoints {
    const balance = this.accounts.balance(key);
    return { giftCredit: balance, purchaseCredit: 0, vipCredit: 0, totalCredit: balance };
  }

  private cost(spec: GenerationSpec): number {
    const { costs } = this.config;
    if (spec.kind === 'image')
      return costs.image[spec.resolution as keyof typeof costs.image] ?? costs.image['2k'];
    const perFive = costs.video[spec.resolution as keyof typeof costs.video] ?? costs.video['720p'];
    return perFive * Math.max(1, Math.ceil(spec.duration / 5));
  }

  private async run(token: ParsedToken, spec: GenerationSpec, origin: string): Promise<Answer> {
    const key = token.sessionKey;
    const behaviour = this.accounts.behaviourOf(key);
    // Same order as the real server: credit query (login check), then submit-time refusals.
    const loginError = this.loginError(token);
    if (loginError) return loginError;
    if (behaviour.regionRefused) return answers.regionRefused();
    if (this.accounts.balance(key) <= 0 && this.accounts.claim(key) !== 'claimed') {
      return answers.creditsExhausted(spec.kind);
    }
    const cost = this.cost(spec);
    if (this.accounts.balance(key) < cost) return answers.creditsShort();
    if (behaviour.banned) return answers.banned();
    if (!this.accounts.admit(key).ok) return answers.riskRejected();

    this.accounts.start(key, cost);
    const latency = sampleLatencyMs(behaviour.latency[spec.kind], this.random) * this.config.timeScale;
    const failed = this.random() < behaviour.failureRate;
    const prompt = spec.prompt.toLowerCase();
    const rejected = this.config.contentWords.some((word) => prompt.includes(word.toLowerCase()));
    try {
      if (rejected || failed) {
        // Failures surface while the task runs, before it would have finished.
        await this.wait(latency / 2);
        this.accounts.finish(key, cost);
        return rejected ? answers.taskFailed(spec.kind, '2038') : answers.generationFailed(spec.kind);
      }
      await this.wait(latency);
      this.accounts.finish(key, 0);
    } catch (error) {
      this.accounts.finish(key, cost);
      throw error;
    }
    const created = Math.floor(Date.now() / 1000);
    if (spec.kind === 'image') {
      const data = Array.from({ length: IMAGES_PER_GENERATION }, () => ({
        url: this.fileUrl(origin, 'png'),
      }));
      return { created, data };
    }
    return { created, data: [{ url: this.fileUrl(origin, 'mp4'), revised_prompt: spec.prompt }] };
  }

  private fileUrl(origin: string, extension: 'png' | 'mp4'): string {
    this.fileCounter += 1;
    const salt = Math.floor(this.random() * 0xffffffff)
      .toString(16)
      .padStart(8, '0');
    return `${origin}/files/${this.fileCounter.toString(36)}-${salt}.${extension}`;
  }

  private wait(ms: number): Promise<void> {
    if (this.disposed) return Promise.reject(new Error('simulator stopped'));
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}
