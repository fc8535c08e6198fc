// Deleting a stored run (with its events, orders, fills and orphan rows, in one transaction). It
// changes stored data, so it needs the token; a run still being written is refused (409), as
// `execsim delete` refuses it without --force, and so is a run started over HTTP that still waits
// for a worker (it has no row yet: it is cancelled, and then stored, first). Once deleted,
// `onDeleted` lets the server forget what it kept of the run in memory (its progress, the key that
// started it).
import { z } from 'zod';
import { ProblemError } from '../problem.ts';
import type { DeleteRun } from '../../store/read-model-port.ts';
import { idParams } from '../query-params.ts';
import { defineRoute, json, type AnyRoute } from '../route-spec.ts';
import { queuedRunConflict, waitsForWorker, type RunJobState } from './reader-access.ts';

/** `jobState`: where the run pool has a run (a queued one is a 409, not a 404). */
export function deleteRunRoutes(
  deleteRun: DeleteRun | null,
  onDeleted: (id: string) => void = () => {},
  jobState?: RunJobState,
): AnyRoute[] {
  return [
    defineRoute({
      method: 'DELETE',
      path: '/runs/:id',
      operationId: 'deleteRun',
      tag: 'runs',
      summary: 'Delete a stored run with its events, orders and fills',
      params: idParams,
      problems: ['not-found', 'conflict', 'store-unavailable'],
      responses: {
        200: json('deleted', z.object({ deleted: z.string(), events: z.number().int().describe('events removed') })),
      },
      handle: ({ params }, c) => {
        if (deleteRun === null)
          throw new ProblemError('store-unavailable', 'this server has no run store to delete from');
        const outcome = deleteRun(params.id);
        switch (outcome.kind) {
          case 'deleted':
            onDeleted(params.id);
            return c.json({ deleted: params.id, events: outcome.events });
          case 'not_found':
            if (waitsForWorker(jobState, params.id))
              throw queuedRunConflict(params.id, `cancel it first (POST /runs/${params.id}/cancel), then delete it`);
            throw new ProblemError('not-found', `no run with id ${JSON.stringify(params.id)}`);
          case 'busy':
            throw new ProblemError('conflict', outcome.detail);
        }
      },
    }),
  ];
}
