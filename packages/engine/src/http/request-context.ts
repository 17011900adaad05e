import type { Locale } from '@atrium/metadata';
import type { FastifyRequest } from 'fastify';
import type { Engine, RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import type { Actor } from '../system/users.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the server's authentication hook; null on the public routes. */
    actor: Actor | null;
    /** Set by timeZoneHook on the routes that read dates; absent elsewhere (UTC). */
    timeZone?: string;
  }
}

/** The caller, their language (Accept-Language: zh… → zh-CN, else en) and their time zone. */
export function contextOf(request: FastifyRequest): RequestContext {
  if (!request.actor) throw new AtriumError('UNAUTHORIZED');
  const ctx: RequestContext = { actor: request.actor, locale: localeOf(request) };
  if (request.timeZone) ctx.timeZone = request.timeZone;
  return ctx;
}

/**
 * A hook that finds the signed-in caller's time zone (their own, else the workspace's) before
 * the handler runs, so contextOf stays synchronous. Costs no query when recently known.
 */
export function timeZoneHook(engine: Engine) {
  return async (request: FastifyRequest): Promise<void> => {
    if (request.actor) request.timeZone = await engine.zones.forUser(request.actor.id);
  };
}

/**
 * The caller's language: Accept-Language when the request sends it (zh… → zh-CN, else en),
 * else the signed-in user's own locale (a script with an API token reads what its user reads).
 */
export function localeOf(request: FastifyRequest): Locale {
  const header = request.headers['accept-language'];
  if (header) return /^\s*zh/i.test(header) ? 'zh-CN' : 'en';
  return request.actor?.locale === 'zh-CN' ? 'zh-CN' : 'en';
}

/** Metadata changes are for administrators until roles arrive. */
export function requireAdmin(request: FastifyRequest): RequestContext {
  const ctx = contextOf(request);
  if (!ctx.actor.isAdmin)
    throw new AtriumError('FORBIDDEN', [], {
      en: 'Only an administrator may change metadata',
      'zh-CN': '只有管理员可以更改元数据',
    });
  return ctx;
}
