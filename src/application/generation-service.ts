import {
  generationSlotDecider,
  handleCommand,
  loadStream,
  type GenerationCommand,
  type GenerationSlotState,
} from '../commands';
import { appendIfAt } from '../commands/handle-command';
import {
  generationStreamId,
  type GenerationEvent,
  type GenerationKind,
  type GenerationRequestedData,
  type RegenerationRequestedData,
} from '../events';
import type { Clock } from '../ports/clock';
import { WrongExpectedRevisionError, type EventStore } from '../ports/event-store';
import type { IdGenerator } from '../ports/id-generator';
import type { RecordReadModel } from '../ports/read-models';
import { eventMetadata, type CommandContext } from './command-context';
import { generationProblems, modelOrDefault } from './generation-validation';
import { rejection, rejectionFromError, type ItemOutcome } from './item-outcome';

/** A storyboard as the API asks for it: the GenerationRequested data the service does not fill in. */
export type NewGeneration = Omit<GenerationRequestedData, 'recordId' | 'model' | 'at'> & {
  /** Defaults to the kind's default model. */
  model?: string;
};

export interface Regeneration {
  kind: GenerationKind;
  projectId: string;
  storyboardId: string;
  updateBy: string;
  changes: RegenerationRequestedData['changes'];
}

export interface RecordAccepted {
  recordId: string;
  generationStatus: 0;
  /** Global position of the append (read-your-writes token); absent when nothing was appended. */
  position?: bigint;
}

export interface RecordDeletion {
  recordId: string;
  position?: bigint;
}

export interface GenerationServiceDependencies {
  eventStore: EventStore;
  records: Pick<RecordReadModel, 'getRecord'>;
  ids: IdGenerator;
  clock: Clock;
}

/** Generation commands of the service API, one storyboard slot at a time. */
export class GenerationService {
  constructor(private readonly deps: GenerationServiceDependencies) {}

  async request(input: NewGeneration, context: CommandContext): Promise<ItemOutcome<RecordAccepted>> {
    return this.guard(async () => {
      const model = modelOrDefault(input.kind, input.model);
      const problems = generationProblems({ ...input, model });
      if (problems.length > 0) return invalid(problems);
      const recordId = this.deps.ids.nextId();
      const streamId = generationStreamId(input.kind, input.projectId, input.storyboardId);
      const { callbackUrl, ...rest } = input;
      const command: GenerationCommand = {
        type: 'RequestGeneration',
        data: {
          ...rest,
          model,
          recordId,
          ...(callbackUrl === undefined ? {} : { callbackUrl }),
          at: this.now(),
        },
      };
      const metadata = eventMetadata(context, input.createBy);
      // Most storyboards are new: decide on the empty slot and append only if the stream does not
      // exist, which saves the read. Otherwise decide on what the stream holds.
      const fresh = await this.appendToNewSlot(streamId, command, metadata);
      const position =
        fresh ??
        (await handleCommand(this.deps.eventStore, streamId, generationSlotDecider, command, { metadata }))
          .position;
      return accepted(recordId, position);
    }, input.kind);
  }

  async regenerate(input: Regeneration, context: CommandContext): Promise<ItemOutcome<RecordAccepted>> {
    return this.guard(async () => {
      const streamId = generationStreamId(input.kind, input.projectId, input.storyboardId);
      const { state } = await loadStream<GenerationEvent, GenerationSlotState>(
        this.deps.eventStore,
        streamId,
        generationSlotDecider,
      );
      if (state.status === 'empty') {
        return rejection(
          'RECORD_NOT_LIVE',
          `storyboard ${input.storyboardId} of project ${input.projectId} has no live ${input.kind} record: create one instead`,
          { projectId: input.projectId, storyboardId: input.storyboardId },
        );
      }
      const { changes } = input;
      const problems = generationProblems({
        kind: input.kind,
        mode: changes.mode ?? state.mode,
        model: changes.model ?? state.model,
        prompt: changes.prompt ?? state.prompt,
        params: { ...state.params, ...changes.params },
      });
      if (problems.length > 0) return invalid(problems);
      const result = await handleCommand(
        this.deps.eventStore,
        streamId,
        generationSlotDecider,
        {
          type: 'RequestRegeneration',
          // Naming the record refuses the command if a delete and a new request replaced it meanwhile.
          data: { recordId: state.recordId, changes, updateBy: input.updateBy, at: this.now() },
        },
        { metadata: eventMetadata(context, input.updateBy) },
      );
      return accepted(state.recordId, result.position);
    }, input.kind);
  }

  /** Logical delete by record id; deleting a deleted record again succeeds without a change. */
  async delete(
    kind: GenerationKind,
    recordId: string,
    updateBy: string,
    context: CommandContext,
  ): Promise<ItemOutcome<RecordDeletion>> {
    return this.guard(async () => {
      const record = await this.deps.records.getRecord(kind, recordId);
      if (record === null) return rejection('NOT_FOUND', `no ${kind} record ${recordId}`, { recordId });
      const result = await handleCommand(
        this.deps.eventStore,
        record.streamId,
        generationSlotDecider,
        { type: 'DeleteRecord', data: { recordId, updateBy, at: this.now() } },
        { metadata: eventMetadata(context, updateBy) },
      );
      return {
        result: 'accepted',
        recordId,
        ...(result.position === undefined ? {} : { position: result.position }),
      };
    }, kind);
  }

  private async appendToNewSlot(
    streamId: string,
    command: GenerationCommand,
    metadata: ReturnType<typeof eventMetadata>,
  ): Promise<bigint | null> {
    const events = generationSlotDecider.decide(command, generationSlotDecider.initialState());
    try {
      const { position } = await appendIfAt(this.deps.eventStore, streamId, 'no_stream', events, {
        metadata,
      });
      return position;
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) return null;
      throw error;
    }
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  private async guard<A extends object>(
    work: () => Promise<ItemOutcome<A>>,
    kind: GenerationKind,
  ): Promise<ItemOutcome<A>> {
    try {
      return await work();
    } catch (error) {
      const refused = rejectionFromError(error);
      if (refused === null) throw error;
      if (refused.error === 'STORYBOARD_EXISTS') {
        return {
          ...refused,
          message: `${refused.message} (POST /api/v1/${kind}s/regenerate with this storyboardId)`,
        };
      }
      return refused;
    }
  }
}

function accepted(recordId: string, position: bigint | undefined): ItemOutcome<RecordAccepted> {
  return {
    result: 'accepted',
    recordId,
    generationStatus: 0,
    ...(position === undefined ? {} : { position }),
  };
}

function invalid(problems: { field: string; message: string }[]) {
  return rejection('VALIDATION_FAILED', problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
    fields: problems.map(({ field, message }) => ({ path: field, message })),
  });
}
