// Types of code-loader.js (plain JavaScript: it runs before any TypeScript loader).

/** The bundle's entry points: dist/<name>-<hash>.js (named by the manifest) is built from the source file. */
export declare const ENTRIES: Readonly<Record<string, string>>;

/** The manifest's format: a dist of another format is stale. */
export declare const MANIFEST_FORMAT: number;

/** Why dist/ under root cannot run, or null when it is current. */
export declare function distProblem(root?: URL): string | null;

/** The entry files of the current dist/ under root (name -> file in dist/), or null when it is not current. */
export declare function currentDistFiles(root?: URL): Readonly<Record<string, string>> | null;

/** Imports the entry `name` from the bundle when this thread runs it, else from the sources. */
export declare function loadEntry(name: string, options?: { mainThread?: boolean }): Promise<Record<string, unknown>>;

/** The end of a bundle's code cache file's name (and of one being written), after the bundle's. */
export declare const CODE_CACHE: RegExp;
