// Reads a Server-Sent Events body as it arrives, waiting for a condition on the events read with a
// bounded timeout (never a sleep), for the tests of the session's stream.
/** One Server-Sent Event, or a comment line (`comment` set). */
export interface SseEvent {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  readonly comment?: string;
}

/** Reads an SSE body as it arrives. */
export class SseReader {
  readonly events: SseEvent[] = [];
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private text = '';
  ended = false;

  constructor(res: Response) {
    if (res.body === null) throw new Error('no body');
    this.reader = res.body.getReader();
  }

  /** Reads until `done(events)` holds or the body ends; throws after `timeoutMs`. */
  async until(done: (events: readonly SseEvent[]) => boolean, timeoutMs = 15_000): Promise<readonly SseEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.events) && !this.ended) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no such events within ${timeoutMs} ms; got ${this.events.length}`);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no such events within ${timeoutMs} ms`)), left);
      });
      try {
        const chunk = await Promise.race([this.reader.read(), timeout]);
        if (chunk.done) this.ended = true;
        else this.take(this.decoder.decode(chunk.value, { stream: true }));
      } finally {
        clearTimeout(timer);
      }
    }
    return this.events;
  }

  /** The client leaves. */
  async cancel(): Promise<void> {
    await this.reader.cancel();
  }

  /** The events' ids as numbers (comments left out). */
  ids(): number[] {
    return this.events.filter((e) => e.id !== undefined).map((e) => Number(e.id));
  }

  private take(text: string): void {
    this.text += text;
    let end: number;
    while ((end = this.text.indexOf('\n\n')) >= 0) {
      const block = this.text.slice(0, end);
      this.text = this.text.slice(end + 2);
      const e: Record<string, string> = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) e['comment'] = line.slice(1).trim();
        else {
          const colon = line.indexOf(':');
          const key = line.slice(0, colon);
          const value = line.slice(colon + 1).replace(/^ /, '');
          e[key] = key === 'data' && e['data'] !== undefined ? `${e['data']}\n${value}` : value;
        }
      }
      this.events.push(e);
    }
  }
}
