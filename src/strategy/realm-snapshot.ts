// What a strategy's realm looked like before any strategy code ran in it, to tell whether an
// instance that ran there left it as it found it (strategy-realm.ts hands a realm on only then).
// Checking reads only the descriptors of the snapshot's own objects, so it runs no strategy code.
// Design notes: docs/0067-strategy-host-notes.md#srcstrategyrealm-snapshotts

type Key = string | symbol;

interface Shape {
  readonly object: object;
  readonly proto: object | null;
  readonly extensible: boolean;
  readonly keys: readonly Key[];
  readonly descriptors: PropertyDescriptor[];
}

const isObject = (v: unknown): v is object => (typeof v === 'object' && v !== null) || typeof v === 'function';

export class RealmSnapshot {
  private constructor(private readonly shapes: readonly Shape[]) {}

  /** Everything reachable from `roots`, as it is now. */
  static take(roots: readonly object[]): RealmSnapshot {
    const seen = new Set<object>();
    const shapes: Shape[] = [];
    const queue: object[] = [...roots];
    while (queue.length > 0) {
      const object = queue.pop() as object;
      if (seen.has(object)) continue;
      seen.add(object);
      const shape = shapeOf(object);
      shapes.push(shape);
      if (shape.proto !== null) queue.push(shape.proto);
      for (const d of shape.descriptors) {
        if (isObject(d.value)) queue.push(d.value);
        if (d.get !== undefined) queue.push(d.get);
        if (d.set !== undefined) queue.push(d.set);
      }
    }
    return new RealmSnapshot(shapes);
  }

  /** How many objects it covers. */
  get size(): number {
    return this.shapes.length;
  }

  /** Whether every object is as the snapshot has it (prototype, extensibility, own properties
   *  in order, each descriptor's value, getter, setter and flags). */
  unchanged(): boolean {
    for (const s of this.shapes) {
      const o = s.object;
      if (Reflect.getPrototypeOf(o) !== s.proto || Reflect.isExtensible(o) !== s.extensible) return false;
      const keys = Reflect.ownKeys(o);
      if (keys.length !== s.keys.length) return false;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as Key;
        if (key !== s.keys[i]) return false;
        const now = Reflect.getOwnPropertyDescriptor(o, key) as PropertyDescriptor;
        const then = s.descriptors[i] as PropertyDescriptor;
        if (
          !Object.is(now.value, then.value) ||
          now.get !== then.get ||
          now.set !== then.set ||
          now.writable !== then.writable ||
          now.enumerable !== then.enumerable ||
          now.configurable !== then.configurable
        )
          return false;
      }
    }
    return true;
  }

  /** Takes `key` of `object` (one of the snapshot's) as it is now: a value the realm itself sets
   *  for each instance. */
  retake(object: object, key: Key): void {
    const s = this.shapes.find((x) => x.object === object);
    const i = s ? s.keys.indexOf(key) : -1;
    if (!s || i < 0) throw new Error(`the realm's snapshot has no ${String(key)} there`);
    s.descriptors[i] = Reflect.getOwnPropertyDescriptor(object, key) as PropertyDescriptor;
  }
}

function shapeOf(object: object): Shape {
  const keys = Reflect.ownKeys(object);
  return {
    object,
    proto: Reflect.getPrototypeOf(object),
    extensible: Reflect.isExtensible(object),
    keys,
    descriptors: keys.map((k) => Reflect.getOwnPropertyDescriptor(object, k) as PropertyDescriptor),
  };
}
