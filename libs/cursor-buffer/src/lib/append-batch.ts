import type { LoggedEvent } from '@jetstream-ts/models';

/** Events to commit together, with the relay cursor that is safe to resume from once they are. */
export interface AppendBatch {
  events: LoggedEvent[];
  relayCursor: number;
}
