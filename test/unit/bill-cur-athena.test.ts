import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { curBillSql, readCurAthenaBill } from '../../src/bill/cur-athena.js';
import { parseAthenaTable } from '../../src/collect/athena.js';
import { parseMonth } from '../../src/util/month.js';
import { runOnDuckDb } from '../support/athena-local.js';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const line = (more: Record<string, unknown>) => ({
  bill_invoice_id: '',
  line_item_usage_account_id: '111122223333',
  line_item_line_item_type: 'Usage',
  line_item_product_code: 'awskms',
  line_item_operation: 'Decrypt',
  line_item_resource_id: KEY,
  line_item_currency_code: 'USD',
  product_region_code: 'us-east-1',
  billing_period: '2026-10',
  line_item_usage_type: 'us-east-1-KMS-Requests',
  line_item_usage_amount: 10000,
  line_item_unblended_cost: 0.03,
  ...more,
});

describe('the CUR 2.0 bill through Athena', () => {
  it("sums the month's KMS lines per key exactly (SQL run on DuckDB), then reads them as a bill", async () => {
    const table = parseAthenaTable('cur.kms_export', '--cur-table');
    const sql = curBillSql(table, parseMonth('2026-10'));
    const answer = runOnDuckDb(
      'sql/athena/cur2-kms-columns.sql',
      'cur.kms_export',
      [
        line({}),
        line({ line_item_usage_amount: 20000, line_item_unblended_cost: 0.06 }),
        line({
          line_item_usage_type: 'us-east-1-KMS-Keys',
          line_item_operation: 'CreateKey',
          line_item_usage_amount: 0.5,
          line_item_unblended_cost: 0.5,
        }),
        line({ billing_period: '2026-09' }),
        line({ line_item_product_code: 'AmazonS3' }),
      ],
      sql,
    );
    const athena = mockClient(AthenaClient);
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        QueryExecutionId: 'q-1',
        Status: { State: 'SUCCEEDED' },
        Statistics: { DataScannedInBytes: 2_000_000 },
      },
    });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        Rows: answer.rows.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
        ResultSetMetadata: { ColumnInfo: answer.columns.map((Name) => ({ Name, Type: 'varchar' })) },
      },
    });
    const bill = await readCurAthenaBill(
      new AthenaClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
      {
        table,
        window: parseMonth('2026-10'),
      },
    );
    expect(bill).toMatchObject({ source: 'cur-athena', granularity: 'key', status: 'estimated', gaps: [] });
    expect(
      bill.lines.map((l) => [l.usageType, l.category, l.operation, l.keyArn, l.quantity, l.amount]),
    ).toEqual([
      ['us-east-1-KMS-Keys', 'key-months', 'CreateKey', KEY, '0.5', '0.5'],
      ['us-east-1-KMS-Requests', 'KMS-Requests', 'Decrypt', KEY, '30000', '0.09'],
    ]);
    expect(bill.readCost).toContain('$0.000050 at $5.00 per TB');
    athena.restore();
  });
});
