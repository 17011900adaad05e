import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DeadLetter } from '../job-worker.js';
import type { Job } from '../jobs.js';
import { signWebhook } from './webhook-secret.js';
import {
  checkedLookup,
  type WebhookTargetOptions,
  webhookTargetProblem,
} from './webhook-target.js';

/** `webhook` jobs: `{ url, body: { event, module, record, automation, at } }`. */
export interface WebhookPayload {
  url: string;
  body: unknown;
}

export interface WebhookOptions extends WebhookTargetOptions {
  /** The signing secret, read per delivery (it can be rotated). */
  secret: () => Promise<string>;
  /** Connect + answer within this (default 10 s). */
  timeoutMs?: number;
}

/**
 * Delivers a webhook job: POSTs the JSON `body` to `url` with
 * `X-Atrium-Timestamp`, `X-Atrium-Signature: sha256=<hmac>` and `Idempotency-Key: <job key>`.
 * A 2xx answer is success; anything else (or a timeout, or no connection) throws, so the
 * worker retries with backoff and dead-letters after the job's attempts. A refused target
 * (private address, bad URL) or a payload that is not a webhook is dead-lettered at once:
 * retrying cannot help.
 *
 * Delivery is at least once: a worker that dies after the receiver got the request but before
 * the job was marked done leaves the job to be delivered again by another worker, with the same
 * `Idempotency-Key`. A receiver that remembers the keys it processed sees each event once.
 */
export function webhookHandler(options: WebhookOptions) {
  return async (job: Job): Promise<void> => {
    const payload = job.payload as Partial<WebhookPayload> | null;
    if (!payload || typeof payload.url !== 'string' || payload.body === undefined)
      throw new DeadLetter('a webhook job needs { url, body }');
    const problem = await webhookTargetProblem(payload.url, options);
    if (problem) throw new DeadLetter(`${payload.url} ${problem}`);
    const body = JSON.stringify(payload.body);
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'Atrium-Webhook/1',
      'idempotency-key': job.idempotencyKey,
      'x-atrium-timestamp': String(timestamp),
      'x-atrium-signature': signWebhook(await options.secret(), timestamp, body),
    };
    const status = await post(payload.url, headers, body, options);
    if (status < 200 || status > 299) throw new Error(`${payload.url} answered ${status}`);
  };
}

function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: WebhookOptions,
): Promise<number> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers,
        lookup: checkedLookup(options) as never,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res: IncomingMessage) => {
        // Only the status matters; the answer is read and dropped (bounded by the timeout).
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EREFUSEDTARGET') reject(new DeadLetter(e.message));
      else if (e.name === 'AbortError')
        reject(new Error(`${url} did not answer within ${timeoutMs} ms`));
      else reject(new Error(`${url}: ${e.message}`));
    });
    req.end(body);
  });
}
