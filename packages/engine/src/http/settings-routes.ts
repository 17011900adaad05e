import { canonicalTimeZone } from '@atrium/metadata';
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../engine.js';
import { AtriumError } from '../errors.js';
import { requestMsg } from '../request-messages.js';
import {
  updateWorkspaceSettings,
  type WorkspaceSettings,
  workspaceSettings,
} from '../system/workspace.js';
import { contextOf } from './request-context.js';

/** The body of `PUT /api/settings`: the settings to change. */
export const settingsBody = {
  type: 'object',
  additionalProperties: false,
  properties: { timeZone: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

/**
 * A time zone as the API takes it: an IANA name (`Asia/Shanghai`, `UTC`) in any case, stored in
 * its canonical spelling; anything else is a 400 on `path`.
 */
export function timeZoneValue(value: string, path: string): string {
  const zone = canonicalTimeZone(value);
  if (!zone) {
    throw new AtriumError('VALIDATION_FAILED', [requestMsg.at(path, 'timeZone', { value })]);
  }
  return zone;
}

/** /api/settings: the workspace's settings; any user reads them, an administrator changes them. */
export async function settingsRoutes(
  app: FastifyInstance,
  { engine }: { engine: Engine },
): Promise<void> {
  app.get('/settings', async (request) => {
    contextOf(request);
    return workspaceSettings(engine.db, engine.workspace.name);
  });

  app.put<{ Body: Partial<WorkspaceSettings> }>(
    '/settings',
    { schema: { body: settingsBody } },
    async (request) => {
      if (!contextOf(request).actor.isAdmin) {
        throw new AtriumError('FORBIDDEN', [], {
          en: 'Only an administrator may change the settings',
          'zh-CN': '只有管理员可以更改设置',
        });
      }
      const patch: Partial<WorkspaceSettings> = {};
      if (request.body.timeZone !== undefined)
        patch.timeZone = timeZoneValue(request.body.timeZone, 'timeZone');
      const settings = await updateWorkspaceSettings(engine.db, engine.workspace.name, patch);
      // Users without a zone of their own follow the workspace's.
      engine.zones.forget();
      return settings;
    },
  );
}
