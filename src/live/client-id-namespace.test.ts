// The namespace round-trips every id and claims no id outside it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientOrderId } from '../core/model/ids.ts';
import { ClientIdNamespace } from './client-id-namespace.ts';

describe('ClientIdNamespace', () => {
  it('takes off what it put on, for any namespace and id', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ minLength: 1 }), { nil: undefined }), fc.string({ minLength: 1 }), (ns, id) => {
        const ids = new ClientIdNamespace(ns);
        expect(ids.local(ids.wire(clientOrderId(id)))).toBe(id);
      }),
    );
  });

  it('an id without the namespace is not ours; without a namespace every id is', () => {
    const ids = new ClientIdNamespace('run-1');
    expect(ids.wire(clientOrderId('p-1'))).toBe('run-1-p-1');
    expect(ids.local('run-2-p-1')).toBeNull();
    expect(ids.local('run-1p-1')).toBeNull();
    expect(new ClientIdNamespace(undefined).local('run-2-p-1')).toBe('run-2-p-1');
  });
});
