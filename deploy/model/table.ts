/**
 * The DynamoDB table, read from the store's own design (src/stores/dynamodb/table-design.ts): keys, TTL,
 * billing and indexes are never restated here.
 */
import { TableDesign } from '../../src/stores/dynamodb/table-design.ts';
import { type DeployTool, resourceName } from './naming.ts';

/**
 * Index projection: keys only, as the store's ensureTable creates them locally (the store reads full items
 * by key). TableDesign has no projection field yet; if it gains one, read it here.
 */
export const IndexProjection = 'KEYS_ONLY';

export interface IndexModel {
  name: string;
  partitionKey: string;
  sortKey?: string;
}

export interface TableModel {
  name: string;
  partitionKey: string;
  sortKey: string;
  ttlAttribute: string;
  billingMode: 'PAY_PER_REQUEST';
  indexes: readonly IndexModel[];
  /** Keep the table (and its data) when the stack is deleted: production only. */
  retainOnDelete: boolean;
  /** Refuse DeleteTable (console, CLI, a replacement) while set: on for every retained table. */
  deletionProtection: boolean;
  /** Point-in-time recovery (35 days of continuous backups): on for every retained table. */
  pointInTimeRecovery: boolean;
  /** The table exists already (ExistingTableVariable): use it by name, create nothing. */
  existing: boolean;
}

/** Stages whose table survives deleting the stack (its data is worth keeping). */
export const RetainedTableStages: readonly string[] = ['prod'];

/** The tool's own table for the stage, or `existingName` when the deployer names an existing one. */
export function tableModel(tool: DeployTool, stage: string, existingName?: string): TableModel {
  const retained = RetainedTableStages.includes(stage);
  return {
    name: existingName ?? resourceName(tool, stage),
    partitionKey: TableDesign.partitionKey,
    sortKey: TableDesign.sortKey,
    ttlAttribute: TableDesign.ttlAttribute,
    billingMode: TableDesign.billingMode,
    indexes: TableDesign.globalSecondaryIndexes.map((index) => ({ ...index })),
    retainOnDelete: retained,
    deletionProtection: retained,
    pointInTimeRecovery: retained,
    existing: existingName !== undefined,
  };
}
