// A scenario whose run takes minutes: one market TWAP of `slices` slices over 27 hours on a
// static book deep enough for every slice. Tests that stop a real `execsim run` process (a
// signal, a SIGKILL) use it so the run is always stopped long before it ends.
export const hugeTwapScenario = (slices: number, name = 'huge-twap'): string => `
name: ${name}
seed: 5
venue: { name: binance-spot, latency: { orderEntry: 5, ack: 5, fillReport: 5 } }
instrument: { symbol: XYZUSDT, tickSize: "0.01", lotSize: "1", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT28H
market: { model: static_book, bids: [["99.99", "100000000"]], asks: [["100.01", "100000000"]] }
safety:
  preTrade: { largeOrderNotional: "100000000", hardLimitNotional: "200000000", maxOrderNotional: "500000000", maxOrderQty: "1000000000", largeOrderQty: "100000000" }
orders:
  - { id: huge, at: PT1S, side: buy, qty: "${slices}", type: market, twap: { duration: PT27H, slices: ${slices}, maxSpread: 0.5, maxPriceDeviation: 0.5 } }
`;
