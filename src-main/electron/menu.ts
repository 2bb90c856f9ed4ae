// The application menu: open a dataset folder or the demo (through the same handler table the page
// uses), reload, developer tools, quit.
import { app, dialog, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { Handlers } from '../core/api/handler-types';
import { invoke } from '../core/api/dispatch';

export function buildMenu(handlers: Handlers, getWindow: () => BrowserWindow | null): Menu {
  const report = async (what: string, p: ReturnType<typeof invoke>) => {
    const r = await p;
    const win = getWindow();
    if (!r.ok && win)
      void dialog.showMessageBox(win, {
        type: 'error',
        message: `${what} failed`,
        detail: r.error.message,
      });
  };
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        {
          label: 'Open Dataset Folder…',
          accelerator: 'CmdOrCtrl+O',
          click: async () => {
            const win = getWindow();
            const options = {
              title: 'Open an RxRx1 dataset folder',
              properties: ['openDirectory' as const],
            };
            const picked = win
              ? await dialog.showOpenDialog(win, options)
              : await dialog.showOpenDialog(options);
            const root = picked.filePaths[0];
            if (!picked.canceled && root)
              await report('Opening the dataset', invoke(handlers, 'dataset.open', { root }));
          },
        },
        {
          label: 'Open Demo Dataset',
          click: () => report('Opening the demo', invoke(handlers, 'dataset.openDemo', {})),
        },
        {
          label: 'Reindex Dataset',
          click: () => report('Reindexing', invoke(handlers, 'dataset.reindex', {})),
        },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'forceReload' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}
