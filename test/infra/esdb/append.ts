// Streams.Append: options first, then one proposed message per event; answers success or
// wrong_expected_version exactly like the real server, so the client raises WrongExpectedVersionError.
import * as grpc from '@grpc/grpc-js';
import { AppendReq, AppendResp } from '@eventstore/db-client/generated/streams_pb';
import { empty, parseUuid, streamNameOf } from './messages';
import type { AppendOutcome, EventLog, ExpectedRevision, ProposedEvent } from './store';

export function appendHandler(log: EventLog): grpc.handleClientStreamingCall<AppendReq, AppendResp> {
  return (call, callback) => {
    let options: AppendReq.Options | undefined;
    const proposed: ProposedEvent[] = [];
    let failed = false;
    const fail = (details: string): void => {
      if (failed) return;
      failed = true;
      callback({ code: grpc.status.INVALID_ARGUMENT, details });
    };

    call.on('data', (request: AppendReq) => {
      if (failed) return;
      if (options === undefined) {
        if (!request.hasOptions()) return fail('The first append message must carry the options.');
        options = request.getOptions()!;
        return;
      }
      const message = request.getProposedMessage();
      if (message === undefined) return fail('Expected a proposed message.');
      const metadata = message.getMetadataMap();
      const type = metadata.get('type');
      const contentType = metadata.get('content-type');
      if (type === undefined) return fail('Required metadata property is missing: type');
      if (contentType === undefined) return fail('Required metadata property is missing: content-type');
      proposed.push({
        id: parseUuid(message.getId()),
        type,
        contentType,
        customMetadata: message.getCustomMetadata_asU8(),
        data: message.getData_asU8(),
      });
    });
    call.on('error', () => {
      failed = true;
    });
    call.on('end', () => {
      if (failed) return;
      if (options === undefined) return fail('An append needs its options.');
      const outcome = log.append(
        streamNameOf(options.getStreamIdentifier()),
        expectedRevisionOf(options),
        proposed,
      );
      callback(null, toResponse(outcome));
    });
  };
}

function expectedRevisionOf(options: AppendReq.Options): ExpectedRevision {
  switch (options.getExpectedStreamRevisionCase()) {
    case AppendReq.Options.ExpectedStreamRevisionCase.REVISION:
      return { kind: 'revision', revision: Number(options.getRevision()) };
    case AppendReq.Options.ExpectedStreamRevisionCase.NO_STREAM:
      return { kind: 'no_stream' };
    case AppendReq.Options.ExpectedStreamRevisionCase.STREAM_EXISTS:
      return { kind: 'stream_exists' };
    default:
      return { kind: 'any' };
  }
}

function toResponse(outcome: AppendOutcome): AppendResp {
  if (outcome.kind === 'success') {
    const success = new AppendResp.Success();
    if (outcome.revision === -1) success.setNoStream(empty());
    else success.setCurrentRevision(outcome.revision.toString());
    if (outcome.position === -1) success.setNoPosition(empty());
    else {
      const position = outcome.position.toString();
      success.setPosition(new AppendResp.Position().setCommitPosition(position).setPreparePosition(position));
    }
    return new AppendResp().setSuccess(success);
  }
  const wrong = new AppendResp.WrongExpectedVersion();
  if (outcome.current === 'no_stream') wrong.setCurrentNoStream(empty()).setNoStream2060(empty());
  else wrong.setCurrentRevision(outcome.current.toString()).setCurrentRevision2060(outcome.current);
  switch (outcome.expected.kind) {
    case 'revision':
      wrong
        .setExpectedRevision(outcome.expected.revision.toString())
        .setExpectedRevision2060(outcome.expected.revision);
      break;
    case 'no_stream':
      wrong.setExpectedNoStream(empty());
      break;
    case 'stream_exists':
      wrong.setExpectedStreamExists(empty()).setStreamExists2060(empty());
      break;
    case 'any':
      wrong.setExpectedAny(empty()).setAny2060(empty());
      break;
  }
  return new AppendResp().setWrongExpectedVersion(wrong);
}
