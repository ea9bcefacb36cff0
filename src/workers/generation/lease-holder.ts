/**
 * The holder written on an account lease names the attempt it serves, so a reaper in any process
 * can find the slot of an expired lease: `${streamId}|${recordId}|${attempt}`. Stream ids cannot
 * hold '|' and attempts are numbers, so a record id containing '|' still parses.
 */
export interface LeaseHolder {
  streamId: string;
  recordId: string;
  attempt: number;
}

export function formatLeaseHolder(holder: LeaseHolder): string {
  return `${holder.streamId}|${holder.recordId}|${holder.attempt}`;
}

export function parseLeaseHolder(text: string): LeaseHolder | null {
  const first = text.indexOf('|');
  const last = text.lastIndexOf('|');
  if (first <= 0 || last <= first + 1) return null;
  const attempt = Number(text.slice(last + 1));
  if (!Number.isSafeInteger(attempt) || attempt < 1) return null;
  return { streamId: text.slice(0, first), recordId: text.slice(first + 1, last), attempt };
}
