// Finds a key given twice in one object of a JSON text. JSON.parse keeps the last of them without
// a word, so `{"side": "buy", ..., "side": "sell"}` would be a sell order: a request body that
// says two things is refused instead (as a YAML scenario with a repeated key is). Scans text that
// JSON.parse has already accepted, with a stack of its own (a body nested deeper than the call
// stack is still answered), in time linear in its length; keys are compared as JSON.parse reads
// them, so `"side"` and `"\u0073ide"` are the same key.

interface Frame {
  readonly kind: 'object' | 'array';
  /** The keys seen so far (objects). */
  readonly keys: Set<string>;
  /** The key whose value is being read (objects) or the element's index (arrays). */
  at: string | number;
  /** Whether the next string is a key (objects: after `{` or `,`). */
  expectKey: boolean;
}

const isSpace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';

/** The path of the first key given twice in one object of `text` (valid JSON), or null. */
export function duplicateKeyPath(text: string): Array<string | number> | null {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (isSpace(ch)) continue;
    const top = stack[stack.length - 1];
    if (ch === '{' || ch === '[') {
      stack.push({ kind: ch === '{' ? 'object' : 'array', keys: new Set(), at: 0, expectKey: ch === '{' });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      if (top?.kind === 'array') top.at = (top.at as number) + 1;
      else if (top !== undefined) top.expectKey = true;
    } else if (ch === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (top?.kind === 'object' && top.expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (top.keys.has(key)) return [...stack.slice(0, -1).map((f) => f.at), key];
        top.keys.add(key);
        top.at = key;
        top.expectKey = false;
      }
    }
  }
  return null;
}
