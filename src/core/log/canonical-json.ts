// Canonical JSON: object keys sorted, no whitespace, integers only as numbers. The digest is a
// hash of this text, so two runs that produced the same events produce the same bytes no matter
// in which order their code happened to build the objects.
// Every log entry goes through here, so the text is built by appending to one string (no arrays
// of parts, no closures per key), and a key's quoted form is computed once per distinct key.

/** Quoted object keys: the log's payloads use a few dozen distinct keys over and over. */
const quotedKeys = new Map<string, string>();

function quoteKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (quotedKeys.size < 4096) quotedKeys.set(k, q);
  }
  return q;
}

export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`non-finite number ${value} in a log payload`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += canonicalJson(value[i]);
        }
        return out + ']';
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      let out = '{';
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        const v = obj[k];
        if (v === undefined) continue;
        out += first ? quoteKey(k) : ',' + quoteKey(k);
        out += ':' + canonicalJson(v);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new Error(`cannot put a ${typeof value} in a log payload`);
  }
}
