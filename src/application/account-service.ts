import {
  accountDecider,
  handleCommand,
  loadStream,
  type AccountCommand,
  type AccountState,
} from '../commands';
import {
  accountStatusFromCode,
  accountTypeFromCode,
  accountStreamId,
  siteFromCode,
  siteToCode,
  type AccountChanges,
  type AccountEvent,
  type AccountType,
  type Site,
} from '../events';
import type { Clock } from '../ports/clock';
import type { EventStore } from '../ports/event-store';
import type { IdGenerator } from '../ports/id-generator';
import type { SecretBox } from '../ports/secret-box';
import { eventMetadata, type CommandContext } from './command-context';
import { rejection, rejectionFromError, type ItemOutcome } from './item-outcome';
import { defaultQuotaResetTime, maskSessionId, parseQuotaResetTime, parseSessionId } from './session-id';

/** Fields an admin may set on an account; codes are the requirement's numbers. */
export interface AccountSettings {
  jimengAccount?: string;
  /** 0 domestic, 1 international. */
  jimengAccountType?: number;
  /** Plaintext as pasted, possibly `[proxy@][site-]id`; sealed before it reaches an event. */
  sessionId?: string;
  siteType?: number;
  /** "HH:mm" or "HH:mm±HH:mm". */
  quotaResetTime?: string;
  priority?: number;
  weight?: number;
  concurrencyCap?: number;
  rpmCap?: number;
  dailyImageQuota?: number | null;
  dailyVideoQuota?: number | null;
  /** Null removes the proxy. */
  proxy?: string | null;
}

export interface NewAccount extends AccountSettings {
  jimengAccount: string;
  sessionId: string;
}

export interface AccountPatch extends AccountSettings {
  id: string;
  accountStatus?: number;
}

export interface AccountAccepted {
  accountId: string;
  /** The account stream's position after the write (read-your-writes token). */
  position?: bigint;
}

export interface RegisteredAccount extends AccountAccepted {
  siteType: number;
  jimengAccountType: AccountType;
  sessionIdMasked: string;
}

export interface UpdatedAccount extends AccountAccepted {
  /** Fields that changed; empty when the patch changed nothing. */
  changed: string[];
}

export interface AccountServiceDependencies {
  eventStore: EventStore;
  secretBox: SecretBox;
  ids: IdGenerator;
  clock: Clock;
}

/** Account commands of the admin API: registration (with secret sealing), updates, logical delete. */
export class AccountService {
  constructor(private readonly deps: AccountServiceDependencies) {}

  async register(
    input: NewAccount,
    createBy: string,
    context: CommandContext,
  ): Promise<ItemOutcome<RegisteredAccount>> {
    return this.guard(async () => {
      const session = parseSessionId(input.sessionId);
      const proxy = mergeProxy(input.proxy, session.proxy);
      const requestedSite = input.siteType === undefined ? undefined : siteFromCode(input.siteType);
      if (requestedSite !== undefined && session.site !== undefined && requestedSite !== session.site) {
        return rejection(
          'VALIDATION_FAILED',
          `siteType ${input.siteType} contradicts the "${session.site}-" prefix of sessionId: drop one of them`,
          { field: 'siteType' },
        );
      }
      const namedSite = requestedSite ?? session.site;
      const accountType: AccountType =
        input.jimengAccountType !== undefined
          ? accountTypeFromCode(input.jimengAccountType)
          : namedSite === undefined || namedSite === 'cn'
            ? 0
            : 1;
      // International accounts without a named site start on hk, the head of the hk → jp → sg fallback.
      const site: Site = namedSite ?? (accountType === 0 ? 'cn' : 'hk');
      const accountId = this.deps.ids.nextId();
      const sessionIdMasked = maskSessionId(session.sessionId);
      const command: AccountCommand = {
        type: 'RegisterAccount',
        data: {
          accountId,
          jimengAccount: input.jimengAccount,
          accountType,
          sealedSessionId: this.deps.secretBox.seal(session.sessionId),
          sessionHint: sessionIdMasked,
          siteType: site,
          sealedProxy: proxy === undefined || proxy === null ? null : this.deps.secretBox.seal(proxy),
          ...numbers(input),
          quotaResetTime:
            input.quotaResetTime === undefined
              ? defaultQuotaResetTime(accountType)
              : parseQuotaResetTime(input.quotaResetTime, accountType),
          createBy,
          at: this.now(),
        },
      };
      const result = await handleCommand(
        this.deps.eventStore,
        accountStreamId(accountId),
        accountDecider,
        command,
        {
          metadata: eventMetadata(context, createBy),
        },
      );
      return {
        result: 'accepted',
        accountId,
        siteType: siteToCode(site),
        jimengAccountType: accountType,
        sessionIdMasked,
        ...(result.position === undefined ? {} : { position: result.position }),
      };
    });
  }

  async update(
    patch: AccountPatch,
    updateBy: string,
    context: CommandContext,
  ): Promise<ItemOutcome<UpdatedAccount>> {
    return this.guard(async () => {
      const streamId = accountStreamId(patch.id);
      const { state } = await loadStream<AccountEvent, AccountState>(
        this.deps.eventStore,
        streamId,
        accountDecider,
      );
      if (!state.exists || state.deleted) {
        return rejection('NOT_FOUND', `account ${patch.id} does not exist or is deleted`, {
          accountId: patch.id,
        });
      }
      const changes: AccountChanges = {};
      const accountType =
        patch.jimengAccountType === undefined
          ? state.accountType
          : accountTypeFromCode(patch.jimengAccountType);
      if (patch.jimengAccount !== undefined) changes.jimengAccount = patch.jimengAccount;
      if (patch.jimengAccountType !== undefined) changes.accountType = accountType;
      let proxy = patch.proxy;
      if (patch.sessionId !== undefined) {
        const session = parseSessionId(patch.sessionId);
        changes.sealedSessionId = this.deps.secretBox.seal(session.sessionId);
        changes.sessionHint = maskSessionId(session.sessionId);
        if (session.site !== undefined && patch.siteType === undefined) changes.siteType = session.site;
        proxy = mergeProxy(patch.proxy, session.proxy);
      }
      if (patch.siteType !== undefined) changes.siteType = siteFromCode(patch.siteType);
      if (proxy !== undefined) changes.sealedProxy = proxy === null ? null : this.deps.secretBox.seal(proxy);
      if (patch.quotaResetTime !== undefined) {
        changes.quotaResetTime = parseQuotaResetTime(patch.quotaResetTime, accountType);
      }
      if (patch.accountStatus !== undefined)
        changes.accountStatus = accountStatusFromCode(patch.accountStatus);
      Object.assign(changes, numbers(patch));
      const result = await handleCommand(
        this.deps.eventStore,
        streamId,
        accountDecider,
        { type: 'UpdateAccount', data: { accountId: patch.id, changes, updateBy, at: this.now() } },
        { metadata: eventMetadata(context, updateBy) },
      );
      const applied = result.events.find((event) => event.type === 'AccountUpdated');
      const changed = applied === undefined ? [] : Object.keys(applied.data.changes).map(publicFieldName);
      return {
        result: 'accepted',
        accountId: patch.id,
        changed: [...new Set(changed)].sort(),
        ...(result.position === undefined ? {} : { position: result.position }),
      };
    });
  }

  /** Logical delete; deleting a deleted account again changes nothing and succeeds. */
  async delete(
    accountId: string,
    updateBy: string,
    context: CommandContext,
  ): Promise<ItemOutcome<AccountAccepted>> {
    return this.guard(async () => {
      const result = await handleCommand(
        this.deps.eventStore,
        accountStreamId(accountId),
        accountDecider,
        { type: 'DeleteAccount', data: { accountId, updateBy, at: this.now() } },
        { metadata: eventMetadata(context, updateBy) },
      );
      return {
        result: 'accepted',
        accountId,
        ...(result.position === undefined ? {} : { position: result.position }),
      };
    });
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  /** Refusals become item outcomes; anything else (the store is down) propagates to the caller. */
  private async guard<A extends object>(work: () => Promise<ItemOutcome<A>>): Promise<ItemOutcome<A>> {
    try {
      return await work();
    } catch (error) {
      const refused = rejectionFromError(error);
      if (refused) return refused;
      throw error;
    }
  }
}

function mergeProxy(
  explicit: string | null | undefined,
  fromSession: string | undefined,
): string | null | undefined {
  if (explicit !== undefined && fromSession !== undefined && explicit !== fromSession) {
    throw Object.assign(new Error('proxy contradicts the proxy prefix of sessionId: give it once'), {
      code: 'VALIDATION_FAILED',
    });
  }
  return explicit !== undefined ? explicit : fromSession;
}

function numbers(settings: AccountSettings): Partial<AccountChanges> {
  const picked: Partial<AccountChanges> = {};
  if (settings.priority !== undefined) picked.priority = settings.priority;
  if (settings.weight !== undefined) picked.weight = settings.weight;
  if (settings.concurrencyCap !== undefined) picked.concurrencyCap = settings.concurrencyCap;
  if (settings.rpmCap !== undefined) picked.rpmCap = settings.rpmCap;
  if (settings.dailyImageQuota !== undefined) picked.dailyImageQuota = settings.dailyImageQuota;
  if (settings.dailyVideoQuota !== undefined) picked.dailyVideoQuota = settings.dailyVideoQuota;
  return picked;
}

const PUBLIC_FIELD_NAMES: Record<string, string> = {
  accountType: 'jimengAccountType',
  sealedSessionId: 'sessionId',
  sessionHint: 'sessionId',
  sealedProxy: 'proxy',
};

function publicFieldName(field: string): string {
  return PUBLIC_FIELD_NAMES[field] ?? field;
}
