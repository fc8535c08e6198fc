// BullMQ's classes, loaded with require. The package ships CommonJS as its main entry (its
// ES module build is not marked as one, so Node cannot load it): imported from an ES module,
// Node first lexes the CommonJS source of every file its index re-exports, to list their export
// names (about 115 ms of a process's start); required, it only runs them. Types come from the
// package's own declarations, as with an import.
import type * as BullMq from 'bullmq';
import { createRequire } from 'node:module';

const bullmq = createRequire(import.meta.url)('bullmq') as typeof BullMq;

export const Queue = bullmq.Queue;
export type Queue<D = unknown, R = unknown, N extends string = string> = BullMq.Queue<D, R, N>;
export const QueueEvents = bullmq.QueueEvents;
export type QueueEvents = BullMq.QueueEvents;
export const Worker = bullmq.Worker;
export type Worker<D = unknown, R = unknown, N extends string = string> = BullMq.Worker<D, R, N>;
export const UnrecoverableError = bullmq.UnrecoverableError;
export const WaitingError = bullmq.WaitingError;
export type { Job, JobType } from 'bullmq';
