import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ADMIN, startApp, type TestApp } from '../helpers/app.js';

// Browser tests drive Debian's Chromium through playwright-core against a real app on a real
// port. With CI=true they must run; elsewhere, without Chromium, they skip with a message.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOTS = path.join(root, 'test-results', 'screenshots');

/** The reason to skip, or false: CI never skips. */
export function skipReason(): string | false {
  if (fs.existsSync(CHROMIUM)) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
  return `browser tests SKIPPED: ${CHROMIUM} not found (apt-get install chromium, or set CHROMIUM_PATH)`;
}

/** The web bundle the server serves (dist/web), built when web/ changed. */
export function buildWebApp(): void {
  const r = spawnSync(process.execPath, ['scripts/build-if-stale.mjs', '--web-only'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`web build failed: ${r.stderr}`);
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

export interface WebApp {
  t: TestApp;
  base: string;
  close(): Promise<void>;
}

export async function startWebApp(env: Record<string, string> = {}): Promise<WebApp> {
  const t = await startApp('sqlite', env);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.server.address() as AddressInfo;
  return { t, base: `http://127.0.0.1:${port}`, close: () => t.close() };
}

/** A browser context logged in as the admin through the login page itself. */
export async function loggedInPage(browser: Browser, base: string, viewport = { width: 1280, height: 900 }, locale = 'en-GB'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, locale });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.fill('input[name=email]', ADMIN.email);
  await page.fill('input[name=password]', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('section.queue');
  return { context, page };
}

/** A stand-in for a remote mail server of images: a 1×1 PNG, and every hit recorded. */
export interface ImageStub { url: string; hits: string[]; close(): Promise<void> }

export async function imageStub(): Promise<ImageStub> {
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
    res.end(png);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** One app, one image stub and one Chromium for a test file; each test opens its own context. */
export function webSuite(name: string, body: (get: () => { browser: Browser; web: WebApp; stub: ImageStub }) => void, env: Record<string, string> = {}): void {
  const skip = skipReason();
  if (skip) console.log(`# ${skip}`);
  describe(name, { skip }, () => {
    let browser: Browser;
    let web: WebApp;
    let stub: ImageStub;
    before(async () => {
      buildWebApp();
      stub = await imageStub();
      // The remote-image proxy may reach the local stub that stands in for a mail's image host;
      // every test logs in through the form, past the default per-account login limit.
      web = await startWebApp({ OUTBOUND_ALLOW_HOSTS: '127.0.0.1', LOGIN_MAX_PER_ACCOUNT: '1000', ...env });
      browser = await launch();
    });
    after(async () => {
      await browser?.close();
      await web?.close();
      await stub?.close();
    });
    body(() => ({ browser, web, stub }));
  });
}

/** A word no other test uses, to seed and find its own tickets. */
export const word = (prefix: string) => `${prefix}${crypto.randomBytes(4).toString('hex')}`;

/** Stores a message on a ticket (no AI run) and returns the answer. */
export async function storeMessage(web: WebApp, ticketId: number, body: Record<string, unknown>) {
  const res = await web.t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store?process=false`, { direction: 'in', from: 'kunde@example.de', type: 'html', ...body });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}
