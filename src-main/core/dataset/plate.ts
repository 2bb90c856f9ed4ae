// The 384-well plate geometry for the core: re-exported from its one owner in src-shared (pure, so
// the renderer's grid and the exported figures use the same positions).
export * from '../../../src-shared/plate';
