/**
 * The DynamoDB table, read from the store's own design (src/stores/dynamodb/table-design.ts): keys, TTL,
 * billing and indexes are never restated here.
 */
import { TableDesign } from '../../src/stores/dynamodb/table-design.ts';

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
}

/** Stages whose table survives deleting the stack (its data is worth keeping). */
export const RetainedTableStages: readonly string[] = ['prod'];

export function tableModel(serviceName: string, stage: string): TableModel {
  return {
    name: `${serviceName}-${stage}`,
    partitionKey: TableDesign.partitionKey,
    sortKey: TableDesign.sortKey,
    ttlAttribute: TableDesign.ttlAttribute,
    billingMode: TableDesign.billingMode,
    indexes: TableDesign.globalSecondaryIndexes.map((index) => ({ ...index })),
    retainOnDelete: RetainedTableStages.includes(stage),
  };
}
