// A ccxt bot trading on execsim's local Binance venue (`execsim gateway binance`), as
// docs/reference/binance-gateway.md runs it: node examples/ccxt-binance.mjs http://127.0.0.1:7880.
// Any ccxt bot is pointed at the gateway the same way: the REST base and the two websocket URLs,
// and its usual key pair.
import { setTimeout as delay } from 'node:timers/promises';
import ccxt from 'ccxt';

const base = process.argv[2] ?? 'http://127.0.0.1:7880';
const exchange = new ccxt.pro.binance({
  apiKey: process.env.BINANCE_API_KEY,
  secret: process.env.BINANCE_API_SECRET,
  options: {
    defaultType: 'spot',
    fetchMarkets: { types: ['spot'] }, // spot only: no futures or margin endpoints
    fetchCurrencies: false,
    fetchMargins: false,
    adjustForTimeDifference: false,
  },
});
exchange.urls.api.public = `${base}/api/v3`;
exchange.urls.api.private = `${base}/api/v3`;
exchange.urls.api.ws.spot = `${base.replace(/^http/, 'ws')}/ws`; // market streams
exchange.urls.api.ws['ws-api'].spot = `${base.replace(/^http/, 'ws')}/ws-api/v3`; // user data stream
await exchange.loadHttpProxyAgent(); // ccxt needs it once for ws:// URLs
// Started just after the gateway (in the background, a moment before), the bot may find it not
// listening yet: its server time answers once it is (for up to 15 s).
for (let tries = 1; ; tries++) {
  try {
    await exchange.fetchTime();
    break;
  } catch (err) {
    if (!(err instanceof ccxt.NetworkError) || tries === 75) throw err;
    await delay(200);
  }
}

try {
  const book = await exchange.watchOrderBook('BTC/USDT');
  console.log(`BTC/USDT bid ${book.bids[0][0]} ask ${book.asks[0][0]} (book update ${book.nonce})`);
  const updates = exchange.watchOrders('BTC/USDT');
  const buy = await exchange.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, {
    newClientOrderId: 'readme-buy',
  });
  console.log(
    `bought ${buy.filled} BTC at ${buy.average} (${buy.trades.length} fills, fee ${buy.fee.cost} ${buy.fee.currency})`,
  );
  console.log(`the user data stream says: ${(await updates).map((o) => `${o.clientOrderId} ${o.status}`).join(', ')}`);
  const price = exchange.priceToPrecision('BTC/USDT', book.bids[0][0] * 0.99);
  const bid = await exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.01, price, { newClientOrderId: 'readme-bid' });
  console.log(`bid ${bid.id} at ${price}: ${(await exchange.fetchOrder(bid.id, 'BTC/USDT')).status}`);
  console.log(`cancelled: ${(await exchange.cancelOrder(bid.id, 'BTC/USDT')).status}`);
  const balance = await exchange.fetchBalance();
  console.log(`balance: ${balance.BTC.total} BTC, ${balance.USDT.total} USDT`);
} finally {
  await exchange.close();
}
