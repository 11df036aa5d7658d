import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';

import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { sessionKey } from './features/auth/hooks/use-session';
import { setMfaEnrolmentRequiredHandler, setUnauthenticatedHandler } from './lib/api';
import { markMfaEnrolmentRequired, workspaceIdFromApiPath } from './lib/mfa-gate';
import { queryClient } from './lib/query-client';
import { router } from './routes';
import { theme } from './theme';

// A call answered 401 `unauthenticated` means the session ended. Clearing it makes the signed-in layout send the
// user to /login?redirect=<this page>; public pages (sign-in, invitations) simply stay where they are.
setUnauthenticatedHandler(() => {
  if (queryClient.getQueryData(sessionKey)) queryClient.setQueryData(sessionKey, null);
});

setMfaEnrolmentRequiredHandler(({ path }) => markMfaEnrolmentRequired(workspaceIdFromApiPath(path)));

const container = document.getElementById('root');
if (!container) throw new Error('Missing #root element');

createRoot(container).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light">
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
