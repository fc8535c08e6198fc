// Types of bundle-runner.js (plain JavaScript: it runs before any TypeScript loader).

/** Runs a CommonJS bundle file with the V8 code cache beside it; returns its exports. `requireFrom`:
 *  the file its require resolves packages from (the bundle by default). */
export declare function runBundle(file: string, options?: { requireFrom?: string }): Record<string, unknown>;
