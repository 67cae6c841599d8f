// Epoch datasets (docs/epoch-dataset.md): written by the indexer's epochs stage, read by the CLI,
// the publisher and auditors. The sha256 of the file is the dataset hash stored on-chain.
export { DatasetError, type DatasetErrorCode } from "./errors.js";
export {
  DATASET_FORMAT,
  DATASET_VERSION,
  type DatasetHeader,
  type DatasetRecord,
  type DatasetTotals,
  type WalletFigures,
  type CampaignPoints,
} from "./format.js";
export { type DatasetSource, datasetLines } from "./lines.js";
export { loadDataset, type LoadOptions, type LoadedDataset } from "./load.js";
export {
  writeDataset,
  writeDatasetColumns,
  type ColumnsOptions,
  type DatasetColumns,
  type DatasetMeta,
  type WalletTotals,
  type WrittenDataset,
} from "./write.js";
