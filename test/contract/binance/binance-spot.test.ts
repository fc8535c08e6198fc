// The broker contract on Binance spot's rules: the simulated venue directly (virtual clock), and
// the Binance adapter on the real ccxt library against execsim's Binance gateway over loopback
// (wall clock), both on a static BTCUSDT book. Client ids are unique among open orders only
// there, and a cancel of a finished order is answered as for an unknown one; the cases read both
// from the rules.
import { runBrokerContract } from '../../support/broker-contract/run-broker-contract.ts';
import { simBackend } from '../../support/broker-contract/sim-backend.ts';
import { binanceBackend } from './binance-backend.ts';
import { BTCUSDT_BOOK } from './btcusdt-book.ts';

runBrokerContract(simBackend(BTCUSDT_BOOK));
runBrokerContract(binanceBackend(BTCUSDT_BOOK));
