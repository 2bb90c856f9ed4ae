// Shared UI state: the active screen and the selection (experiment/plate/well/run/…), read from and
// written to the URL (routes.ts), plus the channel display state, which drives the plate
// thumbnails, the well viewer and exports alike (kept in sessionStorage, so a reload keeps it).
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { useLocation, useSearch } from 'wouter';
import { DisplayState } from '../../../src-shared/contract';
import { useApi } from './api-context';
import { useEventStreamOpens } from './connection';
import { splitHash } from './hash-location';
import { formatRoute, openWellPatch, parseRoute, type Route, type Screen } from './routes';

export type { Screen } from './routes';

/** Explicit choices for using a run: one of another dataset, one that did not complete. */
export interface RunChoices {
  allowOtherDataset: boolean;
  allowIncomplete: boolean;
}

/** How a selection change is written: a new history entry (default) or in place. */
export interface NavOptions {
  replace?: boolean;
}

export interface AppState {
  /** The whole URL selection; `update` changes some fields of it. */
  route: Route;
  update: (patch: Partial<Route>, opts?: NavOptions) => void;
  screen: Screen;
  setScreen: (s: Screen) => void;
  experiment: string | null;
  plate: number | null;
  selectPlate: (experiment: string | null, plate: number | null, opts?: NavOptions) => void;
  idCode: string | null;
  /** Opens the well viewer; `fromQueue` keeps the review queue it came from (j/k, back). */
  openWell: (idCode: string, opts?: { fromQueue?: boolean }) => void;
  runId: string | null;
  setRunId: (id: string | null, opts?: NavOptions) => void;
  runChoices: RunChoices;
  setRunChoices: (c: RunChoices) => void;
  /** The user cleared the run picker: pickers keep no run instead of filling in the default. */
  runCleared: boolean;
  setRunCleared: (cleared: boolean) => void;
  display: DisplayState | null;
  setDisplay: (d: DisplayState) => void;
  resetDisplay: () => Promise<void>;
  /** Bumped when the catalog changes, so screens reload what depends on it. */
  catalogVersion: number;
  bumpCatalog: () => void;
}

const Ctx = createContext<AppState | null>(null);

/** Where this tab keeps the channel display state across reloads. */
const DISPLAY_KEY = 'platelab.display';

/** The display state this tab stored, or null (none, unreadable, or not a valid DisplayState). */
function storedDisplay(): DisplayState | null {
  try {
    const raw = window.sessionStorage.getItem(DISPLAY_KEY);
    if (!raw) return null;
    const parsed = DisplayState.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function storeDisplay(d: DisplayState): void {
  try {
    window.sessionStorage.setItem(DISPLAY_KEY, JSON.stringify(d));
  } catch {
    // Storage full or disabled: the state still lives for this page.
  }
}

export function AppStateProvider({ children }: { children: ReactNode }) {
  const { client } = useApi();
  const [path, navigate] = useLocation();
  const search = useSearch();
  const route = useMemo(() => parseRoute(path, search), [path, search]);
  // Reads the location now, not the rendered route: several updates in one event (pick a plate,
  // then switch screen) build on each other (navigation writes the URL synchronously).
  const update = useCallback(
    (patch: Partial<Route>, opts: NavOptions = {}) => {
      const [p, q] = splitHash(window.location.hash);
      navigate(formatRoute({ ...parseRoute(p, q), ...patch }), { replace: opts.replace });
    },
    [navigate],
  );
  const [runChoices, setRunChoices] = useState<RunChoices>({
    allowOtherDataset: false,
    allowIncomplete: false,
  });
  const [runCleared, setRunCleared] = useState(false);
  const [display, setDisplayState] = useState<DisplayState | null>(storedDisplay);
  const setDisplay = useCallback((d: DisplayState) => {
    storeDisplay(d);
    setDisplayState(d);
  }, []);
  const [catalogVersion, setCatalogVersion] = useState(0);

  const resetDisplay = useCallback(async () => {
    const res = await client.call('display.default', {});
    if (res.ok) setDisplay(res.data);
  }, [client, setDisplay]);

  useEffect(() => {
    if (storedDisplay()) return;
    let live = true;
    void client.call('display.default', {}).then((res) => {
      if (live && res.ok) setDisplay(res.data);
    });
    return () => {
      live = false;
    };
  }, [client, setDisplay]);

  useEffect(() => client.on('catalog:changed', () => setCatalogVersion((v) => v + 1)), [client]);
  // A catalog:changed sent before the event socket (re)opened was missed: each open counts as a
  // change, so what reads the catalog reloads (e.g. a dataset indexed while the page was loading).
  const opens = useEventStreamOpens();

  const runId = route.run;
  const value = useMemo<AppState>(
    () => ({
      route,
      update,
      screen: route.screen,
      setScreen: (screen) => update({ screen }),
      experiment: route.experiment,
      plate: route.plate,
      // A plate change forgets the selected cell (it belongs to the old plate).
      selectPlate: (experiment, plate, opts) => update({ experiment, plate, cell: null }, opts),
      idCode: route.idCode,
      openWell: (idCode, opts) => update(openWellPatch(idCode, opts?.fromQueue)),
      runId,
      // Choosing another run asks again before an incomplete one is used.
      setRunId: (id, opts) => {
        if (id !== runId) setRunChoices((c) => ({ ...c, allowIncomplete: false }));
        update({ run: id }, opts);
      },
      runChoices,
      setRunChoices,
      runCleared,
      setRunCleared,
      display,
      setDisplay,
      resetDisplay,
      catalogVersion: catalogVersion + opens,
      bumpCatalog: () => setCatalogVersion((v) => v + 1),
    }),
    [
      route,
      update,
      runId,
      runChoices,
      runCleared,
      display,
      setDisplay,
      resetDisplay,
      catalogVersion,
      opens,
    ],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useAppState(): AppState {
  const s = useContext(Ctx);
  if (!s) throw new Error('useAppState outside AppStateProvider');
  return s;
}
