// Settings of queued sweeps that help texts show: kept free of imports so a command's help does
// not load the queue client.

/** Default lock on a running chunk, ms: a dead worker's chunk is redelivered within about twice
 *  this (the lock expires, then the next stalled-job check of a live worker finds it). */
export const DEFAULT_LOCK_MS = 10_000;
