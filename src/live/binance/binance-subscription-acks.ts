// When Binance has confirmed a market-stream subscription. ccxt resolves a watch* call with the
// stream's first message, never when Binance answers the SUBSCRIBE ({"result": null, "id": n}),
// and a quiet market may send no trade for minutes; the market feed must know when its trade
// stream is live (from then on no print is missed) before it reads the market's history. ccxt
// keeps each subscription under its hash ("trade::BTC/USDT") with the request id it was sent
// with, and hands every answer with an id to handleSubscriptionStatus: this wraps that method on
// the adapter's own exchange and tells the listener which subscription each success confirms.
import type { BinanceExchange } from './binance-ccxt.ts';

type StatusHandler = (client: unknown, message: unknown) => unknown;

/** Calls `listener` with ccxt's hash of every market-stream subscription Binance confirms. */
export function onSubscriptionAck(ex: BinanceExchange, listener: (hash: string) => void): void {
  const target = ex as unknown as { handleSubscriptionStatus: StatusHandler };
  const handle = target.handleSubscriptionStatus.bind(ex);
  target.handleSubscriptionStatus = (client, message) => {
    const answer = handle(client, message);
    const m = message as { id?: unknown; error?: unknown } | null;
    if (m === null || typeof m !== 'object' || m.error !== undefined || m.id === undefined) return answer;
    const subs = (client as { subscriptions?: Record<string, unknown> } | null)?.subscriptions ?? {};
    for (const [hash, sub] of Object.entries(subs))
      if (typeof sub === 'object' && sub !== null && String((sub as { id?: unknown }).id) === String(m.id))
        listener(hash);
    return answer;
  };
}
