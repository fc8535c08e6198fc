// Requests Node's HTTP parser refuses before the app sees them (a request line or headers past its
// size limit, a malformed request) are answered as problem documents too, as every other error of
// the server is. Node's own answer is a bare status line (431 or 400) with no body; this writes
// the same status with an application/problem+json body naming what to change, then closes the
// connection (the parser cannot go on reading it).
import type { Duplex } from 'node:stream';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, problemTypeUri, type ProblemType } from './problem.ts';

/** The problem for a parser error code (llhttp's HPE_*). */
function problemOf(code: string | undefined): { type: ProblemType; detail: string } {
  if (code === 'HPE_HEADER_OVERFLOW')
    return {
      type: 'headers-too-large',
      detail:
        'the request line and headers together are larger than this server reads (16 KB by default): ' +
        'shorten the URL (its query string) or the headers',
    };
  return { type: 'bad-request', detail: `the request is not well-formed HTTP/1.1 (${code ?? 'unreadable'})` };
}

/** What is needed of the server: its clientError event (node:http's Server, @hono/node-server's). */
interface ClientErrorSource {
  on(event: 'clientError', listener: (err: NodeJS.ErrnoException, socket: Duplex) => void): unknown;
}

/** Answers the connections whose request the HTTP parser refused with a problem document. */
export function answerClientErrors(server: ClientErrorSource, apiBase: string): void {
  server.on('clientError', (err, socket) => {
    // A connection reset or already answered has no one to answer.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const { type, detail } = problemOf(err.code);
    const { status, title } = PROBLEM_TYPES[type];
    const body = JSON.stringify({ type: problemTypeUri(type, apiBase), title, status, detail, instance: '' });
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
}
