/**
 * Collection NSIDs as small integers: a few hundred names cover the network, so an event stores
 * a one- or two-byte id instead of ~20 bytes of text. Ids are assigned on first use and become
 * durable with the append that first uses them (the store writes {@link unpersisted} entries in
 * the same transaction), so a crash cannot leave an event whose collection id is unknown.
 */
export class CollectionTable {
  readonly #ids = new Map<string, number>();
  readonly #names: string[] = [];
  #persistedCount: number;

  /** `names[id]` as loaded from the store (ids are dense, from 0). */
  constructor(names: readonly string[]) {
    for (const name of names) this.#add(name);
    this.#persistedCount = this.#names.length;
  }

  /** How many names have ids. */
  get size(): number {
    return this.#names.length;
  }

  /** The id of `name`, assigning the next free one the first time. */
  idOf(name: string): number {
    return this.#ids.get(name) ?? this.#add(name);
  }

  nameOf(id: number): string {
    const name = this.#names[id];
    if (name === undefined) throw new RangeError(`unknown collection id ${id}`);
    return name;
  }

  /** Entries assigned but not yet known to be committed, as `[id, name]`. */
  unpersisted(): Array<[id: number, name: string]> {
    return this.#names.slice(this.#persistedCount).map((name, index) => [this.#persistedCount + index, name]);
  }

  /** Records that every id below `count` is committed. */
  markPersisted(count: number): void {
    this.#persistedCount = Math.max(this.#persistedCount, count);
  }

  #add(name: string): number {
    const id = this.#names.length;
    this.#names.push(name);
    this.#ids.set(name, id);
    return id;
  }
}
