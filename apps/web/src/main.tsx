import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode, useCallback } from 'react';
import { createRoot } from 'react-dom/client';
import { initI18n } from './i18n.js';
import { router } from './router.js';
import { SessionProvider } from './session.js';
import './styles.css';

initI18n();

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      // A refusal (4xx) will not change on retry.
      retry: (count, error) =>
        count < 2 && !((error as { status?: number }).status ?? 0).toString().startsWith('4'),
    },
  },
});

function App() {
  const onSignedOut = useCallback(() => {
    queryClient.clear();
    void router.navigate({ to: '/sign-in', search: {} });
  }, []);
  return (
    <SessionProvider onSignedOut={onSignedOut}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </SessionProvider>
  );
}

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
