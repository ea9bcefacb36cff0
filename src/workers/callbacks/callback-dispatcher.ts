import type { Logger } from 'pino';
import { generationSlotDecider, handleCommand, isDomainError } from '../../commands';
import { parseStoredEvent, parseStreamId, type GenerationEvent } from '../../events';
import type { Clock } from '../../ports/clock';
import type { EventStore } from '../../ports/event-store';
import {
  TOPICS,
  type ConsumeContext,
  type Consumer,
  type IncomingMessage,
  type MessageBus,
} from '../../ports/message-bus';
import { decodeRelayedEvent, type RelayedEvent } from '../relay/relayed-event';
import { retryDelayMs } from './callback-backoff';
import { callbackPayload } from './callback-payload';
import { planCallback, type CallbackPlan, type SlotEvent } from './callback-plan';
import { sendCallback, type CallbackResponse } from './callback-sender';
import { checkCallbackUrl } from './callback-url-policy';

export interface CallbackSettings {
  /** HMAC key of X-Jimeng-Signature (CALLBACK_SECRET). */
  secret: string;
  /** Host patterns callbacks may go to (CALLBACK_ALLOWED_HOSTS); empty allows every host. */
  allowedHosts?: string[];
  /** Per request. Default 10 000. */
  timeoutMs?: number;
  /** Backoff base and cap. Defaults 1 000 and 60 000. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Delivery attempts before giving up. Default 8. */
  maxAttempts?: number;
  /** Partitions handled at once. Default 4. */
  concurrency?: number;
  /** Consumer group. Default 'callbacks'. */
  groupId?: string;
  /** How often a handler waiting for a retry's due time heartbeats. Default 3 000. */
  heartbeatIntervalMs?: number;
  /** Jitter source, for tests. Default Math.random. */
  random?: () => number;
}

const TRIGGERS = new Set(['GenerationCompleted', 'GenerationFailed', 'CallbackFailed']);
const ACTOR = 'callback-dispatcher';

/**
 * Tells the caller's backend about a finished record (requirement 5.1 step 7): consumes
 * `jimeng.events`, POSTs a signed JSON body for each completed or failed record with a callback URL,
 * and records the result in the record's stream (CallbackDelivered / CallbackFailed). A failure's
 * event comes back through the bus and drives the next try after a backoff, so retries survive
 * restarts and never hold more than one message per partition.
 */
export class CallbackDispatcher {
  private readonly settings: Required<Omit<CallbackSettings, 'allowedHosts'>> & { allowedHosts: string[] };
  private consumer: Consumer | undefined;
  private stopping = new AbortController();

  constructor(
    private readonly events: EventStore,
    private readonly bus: MessageBus,
    private readonly clock: Clock,
    private readonly logger: Logger,
    settings: CallbackSettings,
  ) {
    this.settings = {
      allowedHosts: settings.allowedHosts ?? [],
      timeoutMs: settings.timeoutMs ?? 10_000,
      baseDelayMs: settings.baseDelayMs ?? 1_000,
      maxDelayMs: settings.maxDelayMs ?? 60_000,
      maxAttempts: settings.maxAttempts ?? 8,
      concurrency: settings.concurrency ?? 4,
      groupId: settings.groupId ?? 'callbacks',
      heartbeatIntervalMs: settings.heartbeatIntervalMs ?? 3_000,
      random: settings.random ?? Math.random,
      secret: settings.secret,
    };
  }

  async start(): Promise<void> {
    if (this.consumer) return;
    this.stopping = new AbortController();
    this.consumer = await this.bus.subscribe({
      groupId: this.settings.groupId,
      topics: [TOPICS.events],
      concurrency: this.settings.concurrency,
      handler: (message, context) => this.handle(message, context),
    });
  }

  async stop(): Promise<void> {
    // A handler waiting for a retry's due time gives up; its message is redelivered after restart.
    this.stopping.abort();
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  /** The bus handler (public for tests). Throwing redelivers the message. */
  async handle(message: IncomingMessage, context: ConsumeContext): Promise<void> {
    let relayed: RelayedEvent;
    try {
      relayed = decodeRelayedEvent(message.value);
    } catch (error) {
      this.logger.error({ err: error, offset: message.offset }, 'unreadable message on the events topic');
      return;
    }
    if (!TRIGGERS.has(relayed.type) || parseStreamId(relayed.streamId)?.category !== 'generation') return;
    if (relayed.type === 'CallbackFailed' && (relayed.data as { final?: unknown }).final === true) return;

    const plan = await this.plan(relayed);
    if (plan === null) return;
    if (plan.retryOf !== undefined) {
      const dueAt =
        Date.parse(plan.retryOf) + retryDelayMs(plan.attempt, this.settings, this.settings.random);
      await this.waitUntil(dueAt, context);
    }
    const log = { recordId: plan.record.recordId, attempt: plan.attempt, eventId: plan.outcome.id };
    const response = await this.deliver(plan);
    if (response.delivered) {
      this.logger.info({ ...log, httpStatus: response.httpStatus }, 'callback delivered');
    } else {
      this.logger.warn({ ...log, error: response.error }, 'callback failed');
    }
    await this.record(plan, response, relayed);
  }

  private async plan(relayed: RelayedEvent): Promise<CallbackPlan | null> {
    const stored = await this.events.readStream(relayed.streamId);
    const stream: SlotEvent[] = stored.map((event) => ({
      id: event.id,
      revision: event.revision,
      event: parseStoredEvent(event) as GenerationEvent,
    }));
    return planCallback(stream, relayed.revision);
  }

  private async deliver(plan: CallbackPlan): Promise<CallbackResponse & { final?: boolean }> {
    const verdict = checkCallbackUrl(plan.url, this.settings.allowedHosts);
    // A refused URL cannot become acceptable by retrying.
    if (!verdict.ok) return { delivered: false, error: `refused: ${verdict.reason}`, final: true };
    const body = JSON.stringify(callbackPayload(plan.record, plan.outcome.event.data.at));
    return sendCallback({
      url: verdict.url,
      body,
      eventId: plan.outcome.id,
      attempt: plan.attempt,
      secret: this.settings.secret,
      timeoutMs: this.settings.timeoutMs,
      now: this.clock.now(),
    });
  }

  private async record(
    plan: CallbackPlan,
    response: CallbackResponse & { final?: boolean },
    cause: RelayedEvent,
  ): Promise<void> {
    const { recordId } = plan.record;
    const at = this.clock.now().toISOString();
    const correlationId = cause.metadata['correlationId'];
    const options = {
      eventIdSeed: `${recordId}:${plan.outcome.id}:callback:${plan.attempt}`,
      metadata: {
        actor: ACTOR,
        causationId: cause.id,
        ...(typeof correlationId === 'string' ? { correlationId } : {}),
      },
    };
    const command = response.delivered
      ? {
          type: 'RecordCallbackDelivered' as const,
          data: { recordId, url: plan.url, httpStatus: response.httpStatus, attempts: plan.attempt, at },
        }
      : {
          type: 'RecordCallbackFailed' as const,
          data: {
            recordId,
            url: plan.url,
            error: response.error,
            attempts: plan.attempt,
            final: response.final === true || plan.attempt >= this.settings.maxAttempts,
            at,
          },
        };
    try {
      await handleCommand(this.events, cause.streamId, generationSlotDecider, command, options);
    } catch (error) {
      // Deleted in the meantime: nobody is left to tell about the delivery.
      if (isDomainError(error, 'RECORD_NOT_LIVE')) return;
      throw error;
    }
  }

  /** Waits for a retry's due time, bounded by the backoff cap, keeping the group membership alive. */
  private async waitUntil(dueAt: number, context: ConsumeContext): Promise<void> {
    const until = Math.min(dueAt, this.clock.now().getTime() + this.settings.maxDelayMs);
    for (;;) {
      if (this.stopping.signal.aborted) throw new Error('callback dispatcher stopping');
      const remaining = until - this.clock.now().getTime();
      if (remaining <= 0) return;
      await sleep(Math.min(remaining, this.settings.heartbeatIntervalMs), this.stopping.signal);
      await context.heartbeat();
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
