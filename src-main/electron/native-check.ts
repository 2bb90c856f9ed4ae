// Start-up check of the desktop app's native modules: better-sqlite3 (and friends) must be built
// for Electron's ABI, which `npm ci` only does where Electron's binary was installed (postinstall →
// `electron-builder install-app-deps`). Pure logic; main.ts shows the result in a dialog.
/** The command that rebuilds the native modules for the installed Electron. */
export const NATIVE_FIX = 'npx electron-builder install-app-deps';

export interface NativeProblem {
  title: string;
  /** Says which module, why (the ABI numbers when the error gives them) and the fix command. */
  message: string;
}

/**
 * Loads a native module through `load` (which must really open it: better-sqlite3 only loads its
 * binary when a database is opened) and describes the failure, or null when it loads. `abi`: the
 * NODE_MODULE_VERSION this process needs (process.versions.modules).
 */
export function checkNativeModule(
  name: string,
  load: () => void,
  abi: string = process.versions.modules,
): NativeProblem | null {
  try {
    load();
    return null;
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const built =
      /compiled against a different Node\.js version using\s+NODE_MODULE_VERSION (\d+)/.exec(text);
    const why = built
      ? `it was built for another runtime (NODE_MODULE_VERSION ${built[1]}; this Electron needs ${abi})`
      : `it failed to load (${text.split('\n')[0]})`;
    return {
      title: 'PlateLab cannot start',
      message: `The native module ${name} cannot be loaded: ${why}. Fix: run \`${NATIVE_FIX}\` in the PlateLab folder, then start PlateLab again.`,
    };
  }
}
