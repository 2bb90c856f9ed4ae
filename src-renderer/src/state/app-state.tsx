// Shared UI state: the active screen, the chosen experiment/plate/well/run and the channel display
// state, which drives the plate thumbnails, the well viewer and exports alike.
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { DisplayState } from '../../../src-shared/contract';
import { useApi } from './api-context';

/** Explicit choices for using a run: one of another dataset, one that did not complete. */
export interface RunChoices {
  allowOtherDataset: boolean;
  allowIncomplete: boolean;
}

export type Screen = 'datasets' | 'plates' | 'well' | 'training' | 'predictions' | 'export';

export interface AppState {
  screen: Screen;
  setScreen: (s: Screen) => void;
  experiment: string | null;
  plate: number | null;
  selectPlate: (experiment: string | null, plate: number | null) => void;
  idCode: string | null;
  openWell: (idCode: string) => void;
  runId: string | null;
  setRunId: (id: string | null) => void;
  runChoices: RunChoices;
  setRunChoices: (c: RunChoices) => void;
  display: DisplayState | null;
  setDisplay: (d: DisplayState) => void;
  resetDisplay: () => Promise<void>;
  /** Bumped when the catalog changes, so screens reload what depends on it. */
  catalogVersion: number;
  bumpCatalog: () => void;
}

const Ctx = createContext<AppState | null>(null);

export function AppStateProvider({ children }: { children: ReactNode }) {
  const { client } = useApi();
  const [screen, setScreen] = useState<Screen>('datasets');
  const [experiment, setExperiment] = useState<string | null>(null);
  const [plate, setPlate] = useState<number | null>(null);
  const [idCode, setIdCode] = useState<string | null>(null);
  const [runId, setRunIdState] = useState<string | null>(null);
  const [runChoices, setRunChoices] = useState<RunChoices>({
    allowOtherDataset: false,
    allowIncomplete: false,
  });
  const [display, setDisplay] = useState<DisplayState | null>(null);
  const [catalogVersion, setCatalogVersion] = useState(0);

  const resetDisplay = useCallback(async () => {
    const res = await client.call('display.default', {});
    if (res.ok) setDisplay(res.data);
  }, [client]);

  useEffect(() => {
    let live = true;
    void client.call('display.default', {}).then((res) => {
      if (live && res.ok) setDisplay(res.data);
    });
    return () => {
      live = false;
    };
  }, [client]);

  useEffect(() => client.on('catalog:changed', () => setCatalogVersion((v) => v + 1)), [client]);

  const value = useMemo<AppState>(
    () => ({
      screen,
      setScreen,
      experiment,
      plate,
      selectPlate: (e, p) => {
        setExperiment(e);
        setPlate(p);
      },
      idCode,
      openWell: (id) => {
        setIdCode(id);
        setScreen('well');
      },
      runId,
      // Choosing another run asks again before an incomplete one is used.
      setRunId: (id) => {
        if (id !== runId) setRunChoices((c) => ({ ...c, allowIncomplete: false }));
        setRunIdState(id);
      },
      runChoices,
      setRunChoices,
      display,
      setDisplay,
      resetDisplay,
      catalogVersion,
      bumpCatalog: () => setCatalogVersion((v) => v + 1),
    }),
    [screen, experiment, plate, idCode, runId, runChoices, display, resetDisplay, catalogVersion],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useAppState(): AppState {
  const s = useContext(Ctx);
  if (!s) throw new Error('useAppState outside AppStateProvider');
  return s;
}
