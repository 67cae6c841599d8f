/**
 * Items pushed during one turn of the event loop, handed to `flush` together on the next: the
 * requests of a burst share one database statement or RPC call instead of making one each.
 */
export class TickBatch<T> {
  private items: T[] = [];
  private scheduled = false;

  constructor(private readonly flush: (items: T[]) => void) {}

  push(item: T): void {
    this.items.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const items = this.items;
      this.items = [];
      this.flush(items);
    });
  }
}
