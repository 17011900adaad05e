import type { RenderContext } from '@atrium/renderer/client';
import { useMemo } from 'react';
import { useWorkspace } from './meta.js';
import { useSession } from './session.js';
import { notify } from './shell/Toasts.js';

/** What the renderer's components receive: documents, language, zone, the HTTP client and toasts. */
export function useRenderContext(): RenderContext {
  const { documents, locale, timeZone } = useWorkspace();
  const { client } = useSession();
  return useMemo(
    () => ({ documents, locale, timeZone, client, notify }),
    [documents, locale, timeZone, client],
  );
}
