// `window.platelab`, exposed by the Electron preload: the bridge shape is declared once in the
// shared wire format (one typed function per call, one subscription per event).
import type { PlateLabBridge } from '../../../src-shared/wire';

export type PlatelabBridge = PlateLabBridge;

declare global {
  interface Window {
    platelab?: PlateLabBridge;
  }
}
