import { AtriumError, contextOf, type RequestContext } from '@atrium/engine';
import type { FastifyRequest } from 'fastify';

/** The caller's context when they are an administrator; 403 otherwise. */
export function adminOnly(request: FastifyRequest): RequestContext {
  const ctx = contextOf(request);
  if (!ctx.actor.isAdmin)
    throw new AtriumError('FORBIDDEN', [], {
      en: 'Only an administrator may manage users, tokens of others and the audit log',
      'zh-CN': '只有管理员可以管理用户、他人的令牌和审计日志',
    });
  return ctx;
}
