import type { Locale } from '@atrium/metadata';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import type { Actor } from '../system/users.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the server's authentication hook; null on the public routes. */
    actor: Actor | null;
  }
}

/** The caller and their language (Accept-Language: zh… → zh-CN, else en). */
export function contextOf(request: FastifyRequest): RequestContext {
  if (!request.actor) throw new AtriumError('UNAUTHORIZED');
  return { actor: request.actor, locale: localeOf(request) };
}

export function localeOf(request: FastifyRequest): Locale {
  return /^\s*zh/i.test(request.headers['accept-language'] ?? '') ? 'zh-CN' : 'en';
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
