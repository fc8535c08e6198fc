// Branded identifiers: a ClientOrderId can never be passed where a VenueOrderId is expected,
// although both are strings at run time. Construction goes through these functions only.
export type Brand<T, B extends string> = T & { readonly __brand: B };

export type ClientOrderId = Brand<string, 'ClientOrderId'>;
export type VenueOrderId = Brand<string, 'VenueOrderId'>;
export type ParentOrderId = Brand<string, 'ParentOrderId'>;
export type TradeId = Brand<string, 'TradeId'>;
export type RunId = Brand<string, 'RunId'>;
export type Symbol = Brand<string, 'Symbol'>;

function nonEmpty(kind: string, value: string): string {
  if (value.length === 0) throw new Error(`${kind} must not be empty`);
  return value;
}

export const clientOrderId = (v: string): ClientOrderId => nonEmpty('ClientOrderId', v) as ClientOrderId;
export const venueOrderId = (v: string): VenueOrderId => nonEmpty('VenueOrderId', v) as VenueOrderId;
export const parentOrderId = (v: string): ParentOrderId => nonEmpty('ParentOrderId', v) as ParentOrderId;
export const tradeId = (v: string): TradeId => nonEmpty('TradeId', v) as TradeId;
export const runId = (v: string): RunId => nonEmpty('RunId', v) as RunId;
export const symbol = (v: string): Symbol => nonEmpty('Symbol', v) as Symbol;
