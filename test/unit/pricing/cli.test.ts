import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { Command } from 'commander';
import { beforeEach, describe, expect, it } from 'vitest';
import { pricingCommand } from '../../../src/cli/commands/pricing.js';
import { DEFAULT_PRICING_DIR } from '../../../src/pricing/load.js';
import { parsePricingTable } from '../../../src/pricing/table.js';
import { captureIo } from '../../support/io.js';
import { regionProducts } from './price-list-fixtures.js';

const pricingMock = mockClient(PricingClient);

async function run(argv: string[], now = new Date('2026-11-29T10:00:00Z')) {
  const io = captureIo({ now: () => now });
  let exit: number | undefined;
  const program = new Command('kms-report').exitOverride();
  program.addCommand(
    pricingCommand(
      io,
      (c) => {
        exit = c;
      },
      { pricingClient: () => new PricingClient({ region: 'us-east-1' }) },
    ).exitOverride(),
  );
  await program.parseAsync(argv, { from: 'user' });
  return { io, exit };
}

async function tablesCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kms-pricing-cli-'));
  await cp(DEFAULT_PRICING_DIR, dir, { recursive: true });
  return dir;
}

describe('Command: kms-report pricing', () => {
  beforeEach(() => {
    pricingMock.reset();
  });

  it('refresh writes a new dated table to --out and shows what changed', async () => {
    // Prepare: a copy of the shipped tables; eu-west-3 answers with the same prices as assumed.
    const dir = await tablesCopy();
    const out = await mkdtemp(join(tmpdir(), 'kms-pricing-out-'));
    pricingMock.on(GetProductsCommand).resolves({ PriceList: regionProducts('eu-west-3') });
    // Act
    const { io, exit } = await run([
      'pricing',
      'refresh',
      '--regions',
      'eu-west-3',
      '--pricing',
      dir,
      '--out',
      out,
    ]);
    // Assess
    expect(exit).toBe(0);
    expect(io.stdoutText()).toContain(
      'Compared with aws-kms.2024-04-01:\neu-west-3 verified: false -> true\n',
    );
    expect(await readdir(out)).toEqual(['aws-kms.2026-11-29.json']);
    const written = parsePricingTable(
      await readFile(join(out, 'aws-kms.2026-11-29.json'), 'utf8'),
      'written',
    );
    expect(written.regions['eu-west-3']?.verified).toBe(true);
  });

  it('refresh still takes the old --dir and --out-dir, saying once each what replaces it', async () => {
    const dir = await tablesCopy();
    const out = await mkdtemp(join(tmpdir(), 'kms-pricing-out-'));
    pricingMock.on(GetProductsCommand).resolves({ PriceList: regionProducts('eu-west-3') });
    const { io, exit } = await run(['pricing', 'refresh', '-r', 'eu-west-3', '--dir', dir, '--out-dir', out]);
    expect(exit).toBe(0);
    expect(await readdir(out)).toEqual(['aws-kms.2026-11-29.json']);
    expect(io.stderrText()).toBe(
      'kms-report: --dir is deprecated and will be removed: use --pricing (same meaning)\n' +
        'kms-report: --out-dir is deprecated and will be removed: use --out (same meaning)\n',
    );
  });

  it('refresh --dry-run writes nothing', async () => {
    const dir = await tablesCopy();
    pricingMock.on(GetProductsCommand).resolves({ PriceList: regionProducts('us-east-1') });
    const { io } = await run(['pricing', 'refresh', '-r', 'us-east-1', '--pricing', dir, '--dry-run']);
    expect(io.stdoutText()).toContain('No price changed.\nDry run: aws-kms.2026-11-29.json not written.');
    expect((await readdir(dir)).filter((n) => n.endsWith('.json')).sort()).toEqual([
      'aws-kms.2014-11-12.json',
      'aws-kms.2024-04-01.json',
    ]);
  });

  it('refresh rejects a malformed region before calling AWS', async () => {
    await expect(run(['pricing', 'refresh', '--regions', 'eu-west-3,Paris'])).rejects.toThrow(
      /--regions: "Paris" is not a region name/,
    );
    expect(pricingMock.commandCalls(GetProductsCommand)).toHaveLength(0);
  });

  it('show prints the table in force for the month, with unverified regions flagged', async () => {
    const { io, exit } = await run(['pricing', 'show', '--month', '2024-03']);
    expect(exit).toBe(0);
    const text = io.stdoutText();
    expect(text).toMatch(/^Pricing table aws-kms.2014-11-12 /);
    expect(text).toMatch(
      /\n {2}us-east-1\tNO \(assumed\)\t\$1\.00\t\$1\.00 \(uncapped\)\t\$0\.03\t\$0\.03\t\$0\.15\t\$0\.10\t\$12\.00\n/,
    );
  });

  it('show reads --month as every other command does, and refuses a malformed one in the same words', async () => {
    await expect(run(['pricing', 'show', '--month', '2024-13'])).rejects.toThrow(
      '--month: expected a month as YYYY-MM (for example 2026-10), got "2024-13"',
    );
    // Without --month: the current month (the clock says November 2026).
    const { io } = await run(['pricing', 'show']);
    expect(io.stdoutText()).toMatch(/^Pricing table aws-kms\.20\d\d-\d\d-\d\d /);
  });

  it('show names the broken file and field of a bad table folder', async () => {
    const dir = await tablesCopy();
    const path = join(dir, 'aws-kms.2024-04-01.json');
    const data = JSON.parse(await readFile(path, 'utf8'));
    data.freeTier.requestsPerMonth = -1;
    await writeFile(path, JSON.stringify(data));
    await expect(run(['pricing', 'show', '--pricing', dir])).rejects.toThrow(
      /aws-kms\.2024-04-01\.json: freeTier\.requestsPerMonth/,
    );
  });
});
