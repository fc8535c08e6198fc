// The broker contract on Alpaca's rules: the simulated venue directly (virtual clock), and the
// Alpaca adapter on the real SDK against execsim's Alpaca gateway over loopback (wall clock),
// both on a static AAPL book.
import { runBrokerContract } from '../../support/broker-contract/run-broker-contract.ts';
import { simBackend } from '../../support/broker-contract/sim-backend.ts';
import { AAPL_BOOK } from './aapl-book.ts';
import { alpacaBackend } from './alpaca-backend.ts';

runBrokerContract(simBackend(AAPL_BOOK));
runBrokerContract(alpacaBackend(AAPL_BOOK));
