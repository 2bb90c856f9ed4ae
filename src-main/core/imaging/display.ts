// The channel display state and the RxRx1 colour composite for the core (thumbnails, well viewer,
// exports): re-exported from its one owner, src-shared/display-state.ts (pure, also used by the UI).
export * from '../../../src-shared/display-state';
