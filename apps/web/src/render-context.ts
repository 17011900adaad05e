import type { RenderContext } from '@atrium/renderer/client';
import { useMemo } from 'react';
import { useWorkspace } from './meta.js';
import { useSession } from './session.js';

/** What the renderer's components receive: documents, language, zone and the HTTP client. */
export function useRenderContext(): RenderContext {
  const { documents, locale, timeZone } = useWorkspace();
  const { client } = useSession();
  return useMemo(
    () => ({ documents, locale, timeZone, client }),
    [documents, locale, timeZone, client],
  );
}
