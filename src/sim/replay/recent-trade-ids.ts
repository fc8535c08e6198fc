// The repeated-trade check every trade tape the replay reads shares (Tardis trades, Binance's trade
// and aggTrade archives, a raw recording's trade stream): a trade id seen among the last
// TRADE_ID_WINDOW trades is a trade given twice, which would trade twice against our orders, so
// the reader refuses it naming both places. The window bounds memory: a recorder's reconnect that
// delivers trades again does so within seconds.

/** How many of the latest trades' ids a repeated id is looked for among. */
export const TRADE_ID_WINDOW = 65_536;

export class RecentTradeIds {
  /** The latest trades' ids in a ring that holds where each was read (the oldest slot is reused
   *  for the next trade, its id forgotten). While every id is above all before it, as a venue's
   *  trade ids are, none can repeat and the ring alone is kept; the first id that is not indexes
   *  the ring by id (`byId`, then kept for every trade), so a repeat is found in constant work
   *  either way. */
  private readonly byId = new Map<number, number>();
  private indexed = false;
  private maxId = -Infinity;
  private readonly ringIds = new Float64Array(TRADE_ID_WINDOW);
  private readonly ringLines = new Float64Array(TRADE_ID_WINDOW);
  private readonly ringFiles: string[] = new Array<string>(TRADE_ID_WINDOW).fill('');
  private ringNext = 0;
  private ringFull = false;

  /** The refusal of trade `id`, read at `file` line `lineNo`, when it repeats one among the latest
   *  (`file: line N: trade id ... repeats the trade at ...`); null, and the id remembered, when not. */
  repeat(id: number, file: string, lineNo: number): string | null {
    if (!this.indexed) {
      if (id > this.maxId) {
        this.maxId = id;
        this.remember(id, file, lineNo);
        return null;
      }
      this.indexed = true;
      const filled = this.ringFull ? TRADE_ID_WINDOW : this.ringNext;
      for (let slot = 0; slot < filled; slot++) this.byId.set(this.ringIds[slot] as number, slot);
    }
    const seen = this.byId.get(id);
    if (seen !== undefined)
      return (
        `${file}: line ${lineNo}: trade id ${id} repeats the trade at ${this.ringFiles[seen]}: line ` +
        `${this.ringLines[seen]}: a trade given twice would trade twice in the replay; remove the repeated rows`
      );
    this.remember(id, file, lineNo);
    return null;
  }

  /** Puts a trade's id in the ring's next slot (and the index, once there is one). */
  private remember(id: number, file: string, lineNo: number): void {
    const slot = this.ringNext;
    if (this.indexed) {
      if (this.ringFull) this.byId.delete(this.ringIds[slot] as number);
      this.byId.set(id, slot);
    }
    this.ringIds[slot] = id;
    this.ringLines[slot] = lineNo;
    this.ringFiles[slot] = file;
    this.ringNext = slot + 1 === TRADE_ID_WINDOW ? 0 : slot + 1;
    if (this.ringNext === 0) this.ringFull = true;
  }
}
