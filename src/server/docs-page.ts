// The API's docs page: one server-rendered HTML page made from the OpenAPI document (so it lists
// exactly what the document does), with no script and nothing loaded from elsewhere. Operations by
// tag, each with its parameters, body media types, responses and whether it needs the token; then
// the problem types, whose anchors are the `type` URIs of problem responses.
import { PROBLEM_TYPES, type ProblemType } from './problem.ts';
import type { OpenApiDocument, Operation } from './openapi.ts';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly required: boolean;
  readonly description?: string;
  readonly schema: Record<string, unknown>;
}

/** A JSON Schema in a few words: its type, enum or pattern. */
function brief(schema: Record<string, unknown>): string {
  if (Array.isArray(schema['enum'])) return (schema['enum'] as unknown[]).map(String).join(' | ');
  const type = Array.isArray(schema['type']) ? (schema['type'] as string[]).join(' | ') : String(schema['type'] ?? '');
  return typeof schema['pattern'] === 'string' ? `${type} ${schema['pattern']}` : type;
}

function operationHtml(method: string, path: string, op: Operation): string {
  const params = (op['parameters'] as Parameter[] | undefined) ?? [];
  const body = op['requestBody'] as { content: Record<string, unknown> } | undefined;
  const needsToken = Array.isArray(op['security']) && (op['security'] as unknown[]).length > 0;
  const rows = params
    .map(
      (p) =>
        `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${p.in}${p.required ? ', required' : ''}</td>` +
        `<td><code>${escapeHtml(brief(p.schema))}</code></td><td>${escapeHtml(p.description ?? '')}</td></tr>`,
    )
    .join('');
  const responses = Object.entries(op.responses)
    .map(
      ([status, r]) =>
        `<li><code>${status}</code> ${escapeHtml(r.description)}` +
        `${r.content ? ` <small>(${Object.keys(r.content).map(escapeHtml).join(', ')})</small>` : ''}</li>`,
    )
    .join('');
  return `<section class="op" id="${escapeHtml(op.operationId)}">
<h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code>${needsToken ? ' <span class="auth">token</span>' : ''}</h3>
<p>${escapeHtml(op.summary)}</p>${op['description'] ? `<p>${escapeHtml(String(op['description']))}</p>` : ''}
${rows ? `<table><tr><th>parameter</th><th>in</th><th>schema</th><th></th></tr>${rows}</table>` : ''}
${
  body
    ? `<p>Body: ${Object.keys(body.content)
        .map((m) => `<code>${escapeHtml(m)}</code>`)
        .join(', ')}</p>`
    : ''
}
<ul>${responses}</ul>
</section>`;
}

export function renderDocsPage(doc: OpenApiDocument, openApiUrl: string): string {
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(method, path, op)]);
    }
  }
  const info = doc['info'] as { title: string; version: string; description: string };
  const problems = (Object.keys(PROBLEM_TYPES) as ProblemType[])
    .map(
      (t) =>
        `<tr id="problem-${t}"><td><code>${t}</code></td><td>${PROBLEM_TYPES[t].status}</td><td>${escapeHtml(PROBLEM_TYPES[t].title)}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(info.title)} API ${escapeHtml(info.version)}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code{font:13px ui-monospace,monospace}.op{border-top:1px solid #ddd;padding:.4rem 0}
.m{display:inline-block;min-width:4.2rem;font:12px ui-monospace,monospace;font-weight:bold}
.get{color:#1565c0}.post{color:#2e7d32}.delete{color:#c62828}.put,.patch{color:#ef6c00}
.auth{font-size:11px;background:#fff3cd;border:1px solid #e0c060;padding:0 .3rem;border-radius:3px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:.15rem .4rem;text-align:left}
</style></head><body>
<h1>${escapeHtml(info.title)} API <small>${escapeHtml(info.version)}</small></h1>
<p>${escapeHtml(info.description)}</p>
<p>Machine-readable: <a href="${escapeHtml(openApiUrl)}">${escapeHtml(openApiUrl)}</a> (OpenAPI 3.1).</p>
${[...byTag].map(([tag, ops]) => `<h2>${escapeHtml(tag)}</h2>\n${ops.join('\n')}`).join('\n')}
<h2 id="problems">Problem types</h2>
<p>Errors are <code>application/problem+json</code> (RFC 9457); their <code>type</code> links here.</p>
<table><tr><th>type</th><th>status</th><th>title</th></tr>${problems}</table>
</body></html>
`;
}
