// The gateway's key pair, and how a websocket client proves it has it: one constant-time check for
// REST and every stream, and one in-band authentication (the check, the venue's reply, a refused
// client closed with 1008, policy violation). Each stream keeps only its own messages.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { WebSocket } from 'ws';

/** Whether a presented key id and secret are the gateway's. */
export type KeyCheck = (keyId: unknown, secret: unknown) => boolean;

/** Constant-time comparison of a presented key with the gateway's (through fixed-size digests). */
export function sameKey(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The check of the gateway's key pair (refused empty: a gateway always asks for keys). */
export function keyPairCheck(keyId: string, secret: string): KeyCheck {
  if (keyId === '' || secret === '') throw new Error('the gateway needs a key id and a secret key');
  return (k, s) => sameKey(k, keyId) && sameKey(s, secret);
}

/** What a stream answers an authentication with, in its own messages. */
export interface AuthReplies {
  granted(): void;
  refused(): void;
  /** The close reason sent to a refused client. */
  readonly reason: string;
}

/** Authenticates a websocket client with the key pair it presented: `granted`, or `refused` and
 *  the connection closed. Says whether it was granted. */
export function authenticateSocket(
  ws: WebSocket,
  check: KeyCheck,
  keyId: unknown,
  secret: unknown,
  replies: AuthReplies,
): boolean {
  if (!check(keyId, secret)) {
    replies.refused();
    ws.close(1008, replies.reason);
    return false;
  }
  replies.granted();
  return true;
}
