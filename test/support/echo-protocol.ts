// The echo worker's messages (test/support/echo-worker.ts) and their validators.
import { int, oneOf, record, str } from '../../core/message-shape.ts';

export type EchoRequest =
  | { readonly type: 'ping'; readonly n: number }
  | { readonly type: 'say'; readonly text: string }
  | { readonly type: 'bad' | 'silent' | 'stubborn' | 'crash' | 'exit' };

export type EchoAnswer = { readonly type: 'pong'; readonly n: number } | { readonly type: 'said' } | { readonly type: 'refused'; readonly error: string };

export function parseEchoRequest(raw: unknown): EchoRequest {
  const m = record(raw, 'request');
  const type = oneOf(m, 'type', 'request', ['ping', 'say', 'bad', 'silent', 'stubborn', 'crash', 'exit']);
  if (type === 'ping') return { type, n: int(m, 'n', 'ping') };
  if (type === 'say') return { type, text: str(m, 'text', 'say') };
  return { type };
}

export function parseEchoAnswer(raw: unknown): EchoAnswer {
  const m = record(raw, 'answer');
  const type = oneOf(m, 'type', 'answer', ['pong', 'said', 'refused']);
  if (type === 'pong') return { type, n: int(m, 'n', 'pong') };
  if (type === 'refused') return { type, error: str(m, 'error', 'refused') };
  return { type };
}
