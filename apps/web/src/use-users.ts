import { useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useSession } from './session.js';

/** The workspace's users by id, so owner fields show a name instead of an id. */
export function useUserName(): (id: string) => string | undefined {
  const { client } = useSession();
  const users = useQuery({
    queryKey: ['users'],
    queryFn: () => client.users(),
    staleTime: 5 * 60_000,
  });
  const data = users.data;
  return useCallback(
    (id: string) => {
      const user = data?.find((u) => u.id === id);
      return user ? user.name || user.email : undefined;
    },
    [data],
  );
}
