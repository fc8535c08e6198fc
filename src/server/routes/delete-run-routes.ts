// Deleting a stored run (with its events, orders, fills and orphan rows, in one transaction). It
// changes stored data, so it needs the token; a run still being written is refused (409), as
// `execsim delete` refuses it without --force. Once deleted, `onDeleted` lets the server forget
// what it kept of the run in memory (its progress, the key that started it).
import { z } from 'zod';
import { ProblemError } from '../problem.ts';
import type { DeleteRun } from '../../store/read-model-port.ts';
import { idParams } from '../query-params.ts';
import { defineRoute, json, type AnyRoute } from '../route-spec.ts';

export function deleteRunRoutes(deleteRun: DeleteRun | null, onDeleted: (id: string) => void = () => {}): AnyRoute[] {
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
            throw new ProblemError('not-found', `no run with id ${JSON.stringify(params.id)}`);
          case 'busy':
            throw new ProblemError('conflict', outcome.detail);
        }
      },
    }),
  ];
}
