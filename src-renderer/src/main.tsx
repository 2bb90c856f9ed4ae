// Renderer entry: picks the transport (IPC in Electron, HTTP/WS in a browser) and mounts the app.
import './zod-setup';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { MantineProvider } from '@mantine/core';
import '@mantine/core/styles.css';
import './app.css';
import { pickClient } from './api/pick-client';
import { ApiProvider } from './state/api-context';
import { App } from './app';
import { theme } from './theme';
import { setConnected } from './state/connection';

const transport = pickClient(setConnected);

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light">
      <ApiProvider transport={transport}>
        <App />
      </ApiProvider>
    </MantineProvider>
  </StrictMode>,
);
