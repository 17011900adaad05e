import { useCallback, useEffect, useState } from 'react';
import type { DataClient, UserSummary } from './client.js';

const loaded = new WeakMap<DataClient, Promise<UserSummary[]>>();

/**
 * Names users by id for display (owner, created by, history). Uses `given` when the app passes
 * one; otherwise asks `client.users()` once per client and shares the answer.
 */
export function useUserNames(
  client: DataClient,
  given?: (id: string) => string | undefined,
): (id: string) => string | undefined {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    if (given) return;
    let live = true;
    let request = loaded.get(client);
    if (!request) {
      request = client.users();
      loaded.set(client, request);
      request.catch(() => loaded.delete(client));
    }
    request.then(
      (users) => live && setNames(new Map(users.map((u) => [u.id, u.name]))),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [client, given]);
  const lookup = useCallback((id: string) => names.get(id), [names]);
  return given ?? lookup;
}
