/**
 * A bounded in-process cache whose entries are valid for one tenant data revision only. Entries of an older
 * revision are never returned (they are dropped when met) and the least recently used go first when the total
 * weight passes the bound, so memory stays bounded however many partitions the cards touch.
 */
export class RevisionCache<V> {
  private readonly entries = new Map<string, { revision: string; value: V; weight: number }>();
  private weight = 0;

  constructor(
    private readonly maxWeight: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}

  get(key: string, revision: string | null): V | undefined {
    if (revision === null) return undefined;
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (e.revision !== revision) {
      this.weight -= e.weight;
      return undefined;
    }
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, revision: string | null, value: V): void {
    if (revision === null) return;
    const weight = this.weigh(value);
    if (weight > this.maxWeight) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.weight -= old.weight;
    }
    this.entries.set(key, { revision, value, weight });
    this.weight += weight;
    for (const [k, e] of this.entries) {
      if (this.weight <= this.maxWeight) break;
      this.entries.delete(k);
      this.weight -= e.weight;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
