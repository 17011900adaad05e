import { automationJobHandlers } from '../../automation/timed.js';
import type { Engine } from '../../engine.js';
import type { JobHandler } from '../job-worker.js';
import { mailHandler } from './mail.js';
import { notifyHandler } from './notify.js';
import { webhookHandler } from './webhook.js';
import { webhookSecret } from './webhook-secret.js';
import { webhookAllowHosts } from './webhook-target.js';

/** How the side effects reach the outside world; the server reads it from the environment. */
export interface EffectsConfig {
  /** `ATRIUM_SMTP_URL`; absent: mail is kept in the outbox, not sent. */
  smtpUrl?: string;
  /** `ATRIUM_MAIL_FROM`. */
  mailFrom?: string;
  /** `ATRIUM_WEBHOOK_SECRET`; absent: the workspace's generated secret. */
  webhookSecret?: string;
  /** `ATRIUM_WEBHOOK_ALLOW_HOSTS`, parsed. */
  webhookAllowHosts?: readonly string[];
  /** A webhook's time to answer (default 10 s). */
  webhookTimeoutMs?: number;
}

/** The effects configuration of `env` (blank values count as unset). */
export function effectsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): EffectsConfig {
  const read = (name: string) => env[name]?.trim() || undefined;
  const config: EffectsConfig = { webhookAllowHosts: webhookAllowHosts(env) };
  const smtpUrl = read('ATRIUM_SMTP_URL');
  const mailFrom = read('ATRIUM_MAIL_FROM');
  const secret = read('ATRIUM_WEBHOOK_SECRET');
  if (smtpUrl) config.smtpUrl = smtpUrl;
  if (mailFrom) config.mailFrom = mailFrom;
  if (secret) config.webhookSecret = secret;
  return config;
}

/**
 * Every kind of job the workers run, composed in ONE place: the side effects (`webhook`,
 * `send_email`, `notify`) and, merged in here, any other kind the engine enqueues.
 * @example new JobWorker(engine.db, engine.workspace.schema, sideEffectHandlers(engine, config))
 */
export function sideEffectHandlers(
  engine: Engine,
  config: EffectsConfig = {},
): Record<string, JobHandler> {
  const { db } = engine;
  const { schema } = engine.workspace;
  return {
    webhook: webhookHandler({
      allowHosts: config.webhookAllowHosts ?? [],
      secret: async () => (await webhookSecret(db, schema, config.webhookSecret)).secret,
      ...(config.webhookTimeoutMs ? { timeoutMs: config.webhookTimeoutMs } : {}),
    }),
    send_email: mailHandler(db, schema, {
      ...(config.smtpUrl ? { smtpUrl: config.smtpUrl } : {}),
      ...(config.mailFrom ? { from: config.mailFrom } : {}),
    }),
    notify: notifyHandler(db, schema),
    // Time-triggered automations (date, no activity, schedule).
    ...automationJobHandlers(engine),
  };
}
