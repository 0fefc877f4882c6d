import type { EventDecompressor } from '@jetstream-ts/compression';
import type { JetstreamEventKind, LoggedEvent } from '@jetstream-ts/models';

/**
 * An event read back from a store. Its JSON is the zstd frame decompressed on first access and
 * kept: a replaying reader that filters the event out, or sends it compressed, never pays for it.
 */
export class StoredEvent implements LoggedEvent {
  #json: Uint8Array | undefined;

  constructor(
    readonly time_us: number,
    readonly relaySeq: number,
    readonly did: string,
    readonly kind: JetstreamEventKind,
    readonly collection: string,
    readonly zstd: Uint8Array,
    private readonly decompressor: EventDecompressor,
  ) {}

  get json(): Uint8Array {
    this.#json ??= this.decompressor.decompress(this.zstd);
    return this.#json;
  }
}
