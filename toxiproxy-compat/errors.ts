// Typed errors of the compat server's API. Each carries the HTTP status the real Toxiproxy answers
// with, so the HTTP layer can turn any thrown ToxiproxyApiError into its Go-shaped error body.
import { HarnessError } from '../core/errors.ts';
import type { ProxyInstance } from './proxy.ts';

export class ToxiproxyApiError extends HarnessError {
  override readonly name: string = 'ToxiproxyApiError';
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('PROXY_API', message, options);
  }
}

/** A /populate failure: the real server reports the proxies it created before the failing one. */
export class PopulateError extends ToxiproxyApiError {
  override readonly name = 'PopulateError';
  constructor(
    readonly failure: ToxiproxyApiError,
    readonly created: readonly ProxyInstance[],
  ) {
    super(failure.status, failure.message, { cause: failure });
  }
}

// The exact texts of Toxiproxy 2.12's api.go, which clients match on.
export const proxyNotFound = (): ToxiproxyApiError => new ToxiproxyApiError(404, 'proxy not found');
export const toxicNotFound = (): ToxiproxyApiError => new ToxiproxyApiError(404, 'toxic not found');
export const proxyExists = (): ToxiproxyApiError => new ToxiproxyApiError(409, 'proxy already exists');
export const toxicExists = (): ToxiproxyApiError => new ToxiproxyApiError(409, 'toxic already exists');
export const invalidStream = (): ToxiproxyApiError =>
  new ToxiproxyApiError(400, 'stream was invalid, can be either upstream or downstream');
export const invalidToxicType = (): ToxiproxyApiError => new ToxiproxyApiError(400, 'invalid toxic type');
export const badRequestBody = (detail: string): ToxiproxyApiError =>
  new ToxiproxyApiError(400, `bad request body: ${detail}`);
export const missingField = (field: string, suffix = ''): ToxiproxyApiError =>
  new ToxiproxyApiError(400, `missing required field: ${field}${suffix}`);
