import { useMemo } from 'react';
import { createBinApi } from '../api/bin.js';
import { useWorkspace } from '../meta.js';
import { useSession } from '../session.js';
import { fieldLabeller } from './refusal-text.js';

/** The bin API over the session, and the labels its refusals name, for one module. */
export function useBin(module: string) {
  const { http } = useSession();
  const { documents, locale } = useWorkspace();
  const api = useMemo(() => createBinApi(http), [http]);
  const fieldLabel = useMemo(
    () => fieldLabeller(documents, module, locale),
    [documents, module, locale],
  );
  return { api, fieldLabel };
}
