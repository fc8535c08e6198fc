// The pages' static files: uPlot (script and stylesheet) straight from node_modules, and the
// pages' own stylesheet, chart scripts, re-run script, session script and the payload walk it uses
// from ./static. Read once
// at start; each is served under a URL carrying a hash of its content (`?v=`), so it is cached
// for a year and a new version is a new URL.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';

const require = createRequire(import.meta.url);
const own = (name: string): string => fileURLToPath(new URL(`./static/${name}`, import.meta.url));

interface Asset {
  readonly body: string;
  readonly type: string;
  readonly version: string;
}

const SOURCES: Readonly<Record<string, { readonly path: () => string; readonly type: string }>> = {
  'uPlot.iife.min.js': {
    path: () => require.resolve('uplot/dist/uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'uPlot.min.css': { path: () => require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
  'run-chart.js': { path: () => own('run-chart.js'), type: 'text/javascript; charset=utf-8' },
  'markout-chart.js': { path: () => own('markout-chart.js'), type: 'text/javascript; charset=utf-8' },
  'compare-chart.js': { path: () => own('compare-chart.js'), type: 'text/javascript; charset=utf-8' },
  'sweep-rerun.js': { path: () => own('sweep-rerun.js'), type: 'text/javascript; charset=utf-8' },
  'session-live.js': { path: () => own('session-live.js'), type: 'text/javascript; charset=utf-8' },
  'readable-payload.js': { path: () => own('readable-payload.js'), type: 'text/javascript; charset=utf-8' },
  'pages.css': { path: () => own('pages.css'), type: 'text/css; charset=utf-8' },
};

let assets: Map<string, Asset> | null = null;

function load(): Map<string, Asset> {
  if (assets) return assets;
  assets = new Map();
  for (const [name, src] of Object.entries(SOURCES)) {
    const body = readFileSync(src.path(), 'utf8');
    assets.set(name, { body, type: src.type, version: createHash('sha256').update(body).digest('hex').slice(0, 12) });
  }
  return assets;
}

export const STATIC_BASE = '/static/';

/** The URL of a static file, with its content version. */
export function assetUrl(name: string): string {
  const asset = load().get(name);
  if (!asset) throw new Error(`no static asset ${name}`);
  return `${STATIC_BASE}${name}?v=${asset.version}`;
}

/** GET /static/<name>: the file, cached for a year (its URL changes with its content). */
export function registerStatic(app: Hono): void {
  app.get(`${STATIC_BASE}:name`, (c) => {
    const asset = load().get(c.req.param('name'));
    if (!asset) return c.text('not found', 404);
    return c.body(asset.body, 200, {
      'content-type': asset.type,
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
  });
}
