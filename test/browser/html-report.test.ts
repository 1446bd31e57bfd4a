/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import type { MonthlyReport } from '../../src/model/report.js';
import { formatTotal } from '../../src/pricing/money.js';
import { captureIo } from '../support/io.js';

/**
 * report.html in a real browser: the distribution's headless Chromium, driven by playwright-core
 * (which downloads nothing). Without Chromium this test fails, saying how to install it.
 */

const INSTALL = 'apt-get update && apt-get install -y chromium';

function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv))
      throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist. Install Chromium with:\n    ${INSTALL}`);
    return fromEnv;
  }
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .flatMap((dir) => ['chromium', 'chromium-browser'].map((name) => join(dir, name)));
  const found = [...onPath, '/usr/bin/chromium'].find((p) => existsSync(p));
  if (found) return found;
  throw new Error(
    `Chromium is not installed: the HTML report's browser test needs the distribution's package.\n` +
      `Install it with:\n    ${INSTALL}\n(as root; or run bash scripts/setup-browser.sh, or set CHROMIUM_PATH).`,
  );
}

let browser: Browser;
let url: string;
let json: MonthlyReport;

beforeAll(async () => {
  const executablePath = chromiumPath();
  const out = await mkdtemp(join(tmpdir(), 'kms-report-html-'));
  const io = captureIo();
  expect(await runCli(['--demo', '--out', out, '--quiet', '--format', 'html,json'], io)).toBe(0);
  const dir = join(out, '111122223333', '2026-10');
  url = pathToFileURL(join(dir, 'report.html')).href;
  json = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as MonthlyReport;
  // Running as root (CI containers) needs --no-sandbox.
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'], timeout: 90_000 });
});

afterAll(async () => {
  await browser?.close();
});

/** Opens the report at a window width; records console errors, page errors and every request but the page's own. */
async function open(width: number): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== url) problems.push(`request: ${r.url()}`);
  });
  page.on('requestfailed', (r) =>
    problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`),
  );
  await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
  return { page, problems };
}

describe('report.html in headless Chromium', () => {
  it('loads with no console error and no request beyond the file itself', async () => {
    const { page, problems } = await open(1280);
    await expect(page.title()).resolves.toBe('KMS cost and compliance: October 2026');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows the same headline total, finding counts and first actions as report.json', async () => {
    const { page } = await open(1280);
    const total = page.locator('#total-cost');
    await expect(total.getAttribute('data-amount')).resolves.toBe(json.summary.cost.total.amount);
    await expect(total.locator('.value').textContent()).resolves.toBe(
      formatTotal(json.summary.cost.total, { currency: json.cost.currency }),
    );
    for (const [status, count] of Object.entries(json.summary.findings.byStatus)) {
      const cell = page.locator(`#finding-counts [data-status="${status}"]`);
      if ((await cell.count()) === 0) continue;
      await expect(cell.getAttribute('data-count'), status).resolves.toBe(String(count));
      await expect(cell.textContent(), status).resolves.toContain(String(count));
    }
    await expect(page.locator('#finding-counts [data-status="FAIL"]').count()).resolves.toBe(1);
    for (const [severity, count] of Object.entries(json.summary.findings.failingBySeverity)) {
      const cell = page.locator(`#finding-counts [data-severity="${severity}"]`);
      await expect(cell.textContent(), severity).resolves.toBe(String(count));
    }
    const rules = await page
      .locator('#first-actions > li')
      .evaluateAll((items) => items.map((li) => li.getAttribute('data-rule')));
    expect(rules).toEqual(json.summary.firstActions.map((a) => a.ruleId));
    await page.close();
  });

  it('puts the cost, the findings, the owners and what to do first on the first screen', async () => {
    const { page } = await open(1280);
    for (const selector of ['#total-cost', '#finding-counts', '#owners', '#first-actions']) {
      const box = await page.locator(selector).boundingBox();
      expect(box, selector).not.toBeNull();
      expect(box?.y ?? 900, selector).toBeLessThan(900);
    }
    await page.close();
  });

  it.each([1280, 800])('fits a %i px wide window: tables wrap, nothing scrolls sideways', async (width) => {
    const { page, problems } = await open(width);
    // Unfolded, the controls lists must fit too.
    await page.locator('details').evaluateAll((all) => {
      for (const d of all) d.setAttribute('open', '');
    });
    const { scrollWidth, innerWidth, tables } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      tables: Array.from(document.querySelectorAll('table'))
        .filter((t) => t.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map((t) => t.closest('section')?.id ?? '?'),
    }));
    await page.screenshot({ path: join(tmpdir(), `kms-report-html-${width}.png`), fullPage: false });
    expect(tables, 'tables wider than the window').toEqual([]);
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    expect(problems).toEqual([]);
    await page.close();
  });
});
