// Shapes shared by the metadata readers and the catalog: one well's labels, pixel statistics,
// and the non-fatal problems found while reading (each names its file and, where known, its line).
import type { WellType as ContractWellType } from '../../../../src-shared/contract';
import type { Split } from '../layout';

export type MetadataFormat = 'rxrx1-2019' | 'rxrx1-strings' | 'rxrx1-2020' | 'none';
/** The label style a dataset's files agree on; 'mixed' when they use both numberings. */
export type DatasetLabelStyle = 'integer' | 'string' | 'mixed';
/** A metadata row's well type: the contract's, less 'unknown' (only the catalog has wells without a row). */
export type WellType = Exclude<ContractWellType, 'unknown'>;

export interface WellMeta {
  split: Split;
  experiment: string;
  plate: number;
  /** Canonical well name, zero-padded ('B02'). */
  well: string;
  idCode: string;
  cellType: string;
  wellType: WellType;
  /** The label as the file writes it ('513', 'sirna_250', 'UNTREATED'); null for unlabelled test wells. */
  sirna: string | null;
  sirnaId: number | null;
  sourceFile: string;
  sourceLine: number;
}

export interface PixelStat {
  experiment: string;
  plate: number | null;
  well: string | null;
  site: number | null;
  channel: number;
  mean: number;
  std: number | null;
  median: number | null;
  min: number | null;
  max: number | null;
}

/** Every kind of problem the metadata reader and the indexer report. */
export type ProblemKind =
  | 'missing-file'
  | 'malformed-row'
  | 'duplicate-row'
  | 'conflicting-label'
  | 'bad-file-name'
  | 'outside-layout'
  | 'missing-channel'
  | 'duplicate-image'
  | 'corrupt-png'
  | 'unreadable-file'
  | 'csv-row-without-images'
  | 'image-without-csv-row'
  // A channel image that is flat or near-constant (std below 0.5 grey levels).
  | 'flat-channel'
  // Real-data shapes (issue 10): a value written with spaces or quotes around it, labels in both
  // numberings, a well lacking one of its sites, a metadata format with no image folder found.
  | 'untidy-value'
  | 'mixed-label-style'
  | 'missing-site'
  | 'no-image-folder';

export interface Problem {
  kind: ProblemKind;
  /** File or folder the problem is about, relative to the dataset root. */
  path: string;
  message: string;
  /** How many items this one entry stands for (summarised problems); 1 when absent. */
  count?: number;
}

export interface MetadataResult {
  format: MetadataFormat;
  /** How siRNA labels are written, and so how a submission writes them; null without metadata. */
  labelStyle: DatasetLabelStyle | null;
  wells: WellMeta[];
  pixelStats: PixelStat[] | null;
  problems: Problem[];
  /** id_codes in sample_submission.csv order (2019 formats), or null when that file is absent. */
  testOrder: string[] | null;
  /** The metadata files that were read, relative to the root. */
  files: string[];
}
