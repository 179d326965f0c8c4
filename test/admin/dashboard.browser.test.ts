/**
 * The dashboard in a real browser: Debian's headless Chromium driven by playwright-core,
 * over an admin server on a loopback port and a memory provider holding completed,
 * waiting, scheduled and failed jobs. Signs in, reads the counts, retries a failed job
 * and watches it leave the failed list; saves a screenshot to test/artifacts/dashboard.png
 * (and, with SWITCHYARD_UPDATE_SCREENSHOT=1, to docs/dashboard.png for the README: a test
 * run leaves the work tree as it found it).
 *
 * Chromium is required, not optional: without /usr/bin/chromium this test fails and
 * says how to install it (`apt-get install chromium`).
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import type { JobInfo } from '@switchyard/core';
import { waitFor } from '@switchyard/core/testing';
import { MemoryQueueProvider } from '@switchyard/provider-memory';
import { createAdminServer } from '@switchyard/admin';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TOKEN = 'dashboard-test-token-5f2c9a';
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOT = join(REPO, 'test', 'artifacts', 'dashboard.png');
const README_SCREENSHOT = join(REPO, 'docs', 'dashboard.png');
/** How long any one thing may take to appear on the page. */
const STEP_MS = 10_000;

describe('admin dashboard in headless Chromium', function () {
  this.timeout(60_000);

  let provider: MemoryQueueProvider;
  let server: FastifyInstance;
  let address: string;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;
  /** Browser-side errors (script errors, CSP violations, failed loads): there must be none. */
  const browserErrors: string[] = [];
  /** `email` jobs with `{ bounce: true }` fail while this holds. */
  let smtpDown = true;
  const failedIds: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} not found: the dashboard test needs Debian's chromium package (apt-get install chromium)`,
      );
    }
    provider = new MemoryQueueProvider();
    await provider.connect();
    provider.registerProcessor({
      name: 'email',
      process: async (job: JobInfo) => {
        if (smtpDown && (job.data as { bounce?: boolean }).bounce === true)
          throw new Error('SMTP 451: mail server temporarily unavailable');
        return { delivered: true };
      },
    });
    await provider.start();
    // A paused name keeps its jobs waiting; an hour's delay keeps one scheduled.
    await provider.pause('invoice-pdf');
    const recipients = ['ada', 'grace', 'edsger', 'barbara', 'donald'];
    for (const [i, who] of recipients.entries()) {
      const bounce = i >= 3;
      const id = await provider.scheduleJob(
        'email',
        { to: `${who}@example.com`, template: 'booking-confirmation', bookingId: `B-10${i}`, bounce },
        { jobId: `confirm-${who}`, attempts: 1 },
      );
      if (bounce) failedIds.push(id);
    }
    for (const invoice of ['INV-2041', 'INV-2042']) {
      await provider.scheduleJob('invoice-pdf', { invoice }, { jobId: `pdf-${invoice}` });
    }
    await provider.scheduleJob(
      'payment-reminder',
      { paymentId: 'P-77', offset: '-3d' },
      { jobId: 'remind-P-77', delayMs: 3_600_000 },
    );
    await waitFor(
      async () => (await provider.getStats('email')).failed === 2 && (await provider.getStats('email')).completed === 3,
      {
        timeoutMs: STEP_MS,
        message: 'the seeded email jobs to finish',
      },
    );

    server = createAdminServer({ provider, token: TOKEN });
    address = await server.listen({ host: '127.0.0.1', port: 0 });

    profile = await mkdtemp(join(tmpdir(), 'switchyard-dashboard-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1280, height: 860 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (error) => browserErrors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // The one expected error: the 401 of the deliberately wrong token below.
      if (message.type() === 'error' && !message.text().includes('401'))
        browserErrors.push(`console: ${message.text()}`);
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await provider?.close({ timeoutMs: 1_000 });
    if (profile !== undefined) await rm(profile, { recursive: true, force: true });
  });

  const countCell = (name: string, state: string) =>
    page.locator(`#queues tr[data-queue="${name}"] td[data-state="${state}"]`);
  /** Until the element's text is exactly `text` (trimmed), asking the page every 50 ms, up to STEP_MS. */
  const waitForText = async (selector: string, text: string) => {
    const locator = page.locator(selector);
    await waitFor(async () => (await locator.count()) > 0 && (await locator.first().textContent())?.trim() === text, {
      timeoutMs: STEP_MS,
      intervalMs: 50,
      message: `${selector} to read '${text}'`,
    });
  };

  it('refuses a wrong token and asks again', async () => {
    await page.goto(`${address}/`);
    await page.locator('#token').fill('not-the-right-token');
    await page.locator('#token-form button[type="submit"]').click();
    await waitForText('#message', 'The server refused this token.');
    expect(await page.locator('#token-form').isVisible()).to.equal(true);
  });

  it('shows the counts per name once signed in', async () => {
    await page.locator('#token').fill(TOKEN);
    await page.locator('#token-form button[type="submit"]').click();
    await countCell('email', 'completed').getByText('3', { exact: true }).waitFor({ timeout: STEP_MS });
    expect((await countCell('email', 'failed').textContent())?.trim()).to.equal('2');
    expect((await countCell('invoice-pdf', 'waiting').textContent())?.trim()).to.equal('2');
    expect((await countCell('payment-reminder', 'scheduled').textContent())?.trim()).to.equal('1');
    expect(await page.locator('#queues tr[data-queue="invoice-pdf"]').textContent()).to.include('paused');
    expect(await page.locator('#token-form').isVisible()).to.equal(false);
    await waitForText('#provider', 'provider: memory');
    await page.locator('#health.ok').waitFor({ timeout: STEP_MS });
  });

  it('lists the failed jobs of a name and shows one in detail', async () => {
    await countCell('email', 'failed').locator('button').click();
    for (const id of failedIds)
      await page.locator(`#jobs tr[data-job-id="${id}"][data-state="failed"]`).waitFor({ timeout: STEP_MS });
    expect(await page.locator('#jobs tbody tr').count()).to.equal(2);

    await page.locator(`#jobs tr[data-job-id="${failedIds[0]}"] td button.link`).click();
    await waitForText('#detail-id', failedIds[0]!);
    const detail = await page.locator('#detail').textContent();
    expect(detail).to.include('SMTP 451: mail server temporarily unavailable');
    expect(detail).to.include('1 made of 1');
    expect(await page.locator('#detail-data').textContent()).to.include('"to": "barbara@example.com"');
  });

  it('retries a failed job, which then succeeds and leaves the failed list', async () => {
    smtpDown = false;
    const [retried, remaining] = failedIds as [string, string];
    await page.locator(`#jobs tr[data-job-id="${retried}"] button[data-action="retry"]`).click();
    await page.locator(`#jobs tr[data-job-id="${retried}"]`).waitFor({ state: 'detached', timeout: STEP_MS });
    await waitFor(async () => (await provider.getJob(retried))?.state === 'completed', {
      timeoutMs: STEP_MS,
      message: 'the retried job to complete',
    });
    await page.locator('#refresh').click();
    await waitForText(`#queues tr[data-queue="email"] td[data-state="failed"]`, '1');
    await waitForText(`#queues tr[data-queue="email"] td[data-state="completed"]`, '4');
    expect(await page.locator('#jobs tbody tr').count()).to.equal(1);
    expect(await page.locator(`#jobs tr[data-job-id="${remaining}"]`).count()).to.equal(1);
  });

  it('saves a screenshot of the dashboard, without a browser-side error on the way', async () => {
    // Show the remaining failure in detail: the most telling picture for the README.
    await page.locator(`#jobs tr[data-job-id="${failedIds[1]}"] td button.link`).click();
    await waitForText('#detail-id', failedIds[1]!);
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    if (process.env.SWITCHYARD_UPDATE_SCREENSHOT === '1') await copyFile(SCREENSHOT, README_SCREENSHOT);
    expect(existsSync(SCREENSHOT)).to.equal(true);
    expect(browserErrors).to.deep.equal([]);
  });

  it('pauses and resumes a queue, cleans its completed jobs and cancels a job', async () => {
    const emailRow = '#queues tr[data-queue="email"]';
    await page.locator(`${emailRow} button[data-action="pause"]`).click();
    await page.locator(`${emailRow} button[data-action="resume"]`).waitFor({ timeout: STEP_MS });
    expect((await provider.getStats('email')).paused).to.equal(true);
    await page.locator(`${emailRow} button[data-action="resume"]`).click();
    await page.locator(`${emailRow} button[data-action="pause"]`).waitFor({ timeout: STEP_MS });
    expect((await provider.getStats('email')).paused).to.equal(false);

    await page.locator(`${emailRow} button[data-action="clean"]`).click();
    await page.locator('#clean-dialog').waitFor({ state: 'visible', timeout: STEP_MS });
    await page.locator('#clean-state').selectOption('completed');
    await page.locator('#clean-age').fill('0');
    await page.locator('#clean-confirm').click();
    await waitForText('#message', 'Removed 4 jobs from email.');
    await waitForText(`${emailRow} td[data-state="completed"]`, '0');

    // Cancelling asks first; accept the browser's confirmation.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator(`#jobs tr[data-job-id="${failedIds[1]}"] button[data-action="cancel"]`).click();
    await page.locator(`#jobs tr[data-job-id="${failedIds[1]}"]`).waitFor({ state: 'detached', timeout: STEP_MS });
    expect(await provider.getJob(failedIds[1]!)).to.equal(null);
    await page.locator('#detail').waitFor({ state: 'hidden', timeout: STEP_MS });
    expect(browserErrors).to.deep.equal([]);
  });
});
