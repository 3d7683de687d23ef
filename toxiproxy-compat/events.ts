// What the compat server reports about itself. The server only emits events; the process entry
// decides what reaches stderr, so tests that embed the server stay quiet.

export type CompatEvent =
  | { readonly kind: 'api-listening'; readonly url: string }
  | { readonly kind: 'proxy-created'; readonly proxy: string; readonly listen: string; readonly upstream: string; readonly enabled: boolean }
  | { readonly kind: 'proxy-deleted'; readonly proxy: string }
  | { readonly kind: 'proxy-enabled'; readonly proxy: string; readonly listen: string }
  | { readonly kind: 'proxy-disabled'; readonly proxy: string }
  | { readonly kind: 'toxic-added'; readonly proxy: string; readonly toxic: string; readonly type: string; readonly stream: string }
  | { readonly kind: 'toxic-updated'; readonly proxy: string; readonly toxic: string }
  | { readonly kind: 'toxic-removed'; readonly proxy: string; readonly toxic: string }
  | { readonly kind: 'connection-accepted'; readonly proxy: string; readonly connectionId: number; readonly client: string }
  | { readonly kind: 'connection-closed'; readonly proxy: string; readonly connectionId: number }
  | { readonly kind: 'upstream-unreachable'; readonly proxy: string; readonly upstream: string; readonly error: string }
  | { readonly kind: 'reset' };

export type EventSink = (event: CompatEvent) => void;

export const ignoreEvents: EventSink = () => undefined;

export interface EventLine {
  readonly level: 'debug' | 'info' | 'warn';
  readonly message: string;
}

/** One log line per event; per-connection events are debug because a busy proxy has many. */
export function describeEvent(event: CompatEvent): EventLine {
  switch (event.kind) {
    case 'api-listening':
      return { level: 'info', message: `API listening on ${event.url}` };
    case 'proxy-created':
      return {
        level: 'info',
        message: `proxy ${event.proxy} created: listen ${event.listen} upstream ${event.upstream}${event.enabled ? '' : ' (disabled)'}`,
      };
    case 'proxy-deleted':
      return { level: 'info', message: `proxy ${event.proxy} deleted` };
    case 'proxy-enabled':
      return { level: 'info', message: `proxy ${event.proxy} enabled on ${event.listen}` };
    case 'proxy-disabled':
      return { level: 'info', message: `proxy ${event.proxy} disabled` };
    case 'toxic-added':
      return { level: 'info', message: `toxic ${event.toxic} (${event.type}, ${event.stream}) added to ${event.proxy}` };
    case 'toxic-updated':
      return { level: 'info', message: `toxic ${event.toxic} on ${event.proxy} updated` };
    case 'toxic-removed':
      return { level: 'info', message: `toxic ${event.toxic} removed from ${event.proxy}` };
    case 'connection-accepted':
      return { level: 'debug', message: `proxy ${event.proxy}: connection ${event.connectionId} accepted from ${event.client}` };
    case 'connection-closed':
      return { level: 'debug', message: `proxy ${event.proxy}: connection ${event.connectionId} closed` };
    case 'upstream-unreachable':
      return { level: 'warn', message: `proxy ${event.proxy}: upstream ${event.upstream} unreachable: ${event.error}` };
    case 'reset':
      return { level: 'info', message: 'reset: all proxies enabled, all toxics removed' };
  }
}
