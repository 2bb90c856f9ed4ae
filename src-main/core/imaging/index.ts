// Public surface of imaging: site loading and normalisation, display state and composites,
// thumbnails, the decoded-site cache and the training data pipeline.
export {
  loadSite,
  loadRawSite,
  normalizeSite,
  resizeSite,
  type LoadedSite,
  type RawSite,
  type LoadSiteOptions,
} from './load-site';
export { decodeChannel } from './decode';
export { channelStats, normalize, type ChannelStats, type Normalization } from './normalize';
export { createStatsProvider, type StatsProvider } from './stats-provider';
export {
  rxrx1DefaultDisplay,
  renderComposite,
  autoContrast,
  applyToAllChannels,
  toggleChannel,
  withVisibleChannels,
  channelHistograms,
  type DisplayState,
} from './display';
export { autoContrastFor, type AutoContrastSource } from './auto-contrast';
export { plateSprite, sitePng, spriteLayout, type PlateSprite } from './thumbnails';
export { isInside } from './files';
export { DecodedSiteCache, siteDigest } from './decoded-cache';
export * from './pipeline';
