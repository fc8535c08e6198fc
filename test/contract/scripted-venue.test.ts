// The broker contract on the scripted venue the unit tests use in place of a venue
// (test/support/scripted-venue), on each venue's rules and book: what those tests show with it, a
// venue may do.
import { runBrokerContract } from '../support/broker-contract/run-broker-contract.ts';
import { scriptedBackend } from '../support/broker-contract/scripted-backend.ts';
import { AAPL_BOOK } from './alpaca/aapl-book.ts';
import { BTCUSDT_BOOK } from './binance/btcusdt-book.ts';

runBrokerContract(scriptedBackend(AAPL_BOOK));
runBrokerContract(scriptedBackend(BTCUSDT_BOOK));
