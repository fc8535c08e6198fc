export type Brand<T, B extends string> = T & {
    readonly __brand: B;
};
export type ClientOrderId = Brand<string, 'ClientOrderId'>;
export type VenueOrderId = Brand<string, 'VenueOrderId'>;
export type ParentOrderId = Brand<string, 'ParentOrderId'>;
export type TradeId = Brand<string, 'TradeId'>;
export type RunId = Brand<string, 'RunId'>;
export type Symbol = Brand<string, 'Symbol'>;
export declare const clientOrderId: (v: string) => ClientOrderId;
export declare const venueOrderId: (v: string) => VenueOrderId;
export declare const parentOrderId: (v: string) => ParentOrderId;
export declare const tradeId: (v: string) => TradeId;
export declare const runId: (v: string) => RunId;
export declare const symbol: (v: string) => Symbol;
