import { describe, expect, it } from 'vitest';
import { FeedHealth } from './feed-health.ts';

describe('feed health', () => {
  it('a streamed feed fails while its stream is down, and is healthy again when it connects', () => {
    const h = new FeedHealth(true, false);
    expect(h.failure()).toBeNull(); // before the first connect: the start read stands
    h.connected();
    expect(h.failure()).toBeNull();
    h.disconnected('socket closed');
    expect(h.failure()).toBe('market data stream disconnected: socket closed');
    h.polledQuote(null); // a feed that does not poll ignores a read (the start read)
    expect(h.failure()).toBe('market data stream disconnected: socket closed');
    h.connected();
    expect(h.failure()).toBeNull();
  });

  it('a feed that also polls is covered by reads that succeed after the stream went down', () => {
    const h = new FeedHealth(true, true);
    h.disconnected('closed');
    expect(h.failure()).toBe('market data stream disconnected: closed');
    h.polledQuote(null);
    expect(h.failure()).toBeNull();
    h.polledQuote('503 Service Unavailable');
    expect(h.failure()).toBe('market data stream disconnected: closed');
    h.connected();
    expect(h.failure()).toBeNull(); // a failed read while the stream is up is no failure
  });

  it('a polled feed without a stream fails while its latest quote read fails', () => {
    const h = new FeedHealth(false, true);
    expect(h.failure()).toBeNull();
    h.polledQuote('timeout');
    expect(h.failure()).toBe('latest quote read failed: timeout');
    h.polledQuote(null);
    expect(h.failure()).toBeNull();
  });

  it('a feed with neither (one start read) never reports a failure: staleness tells', () => {
    const h = new FeedHealth(false, false);
    h.polledQuote('timeout');
    expect(h.failure()).toBeNull();
  });
});
