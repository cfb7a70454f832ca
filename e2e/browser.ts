// Shared helpers of the browser tests: Debian's Chromium through playwright-core
// (never a downloaded browser), axe-core accessibility checks, TOTP codes, screenshots.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { currentTotp } from '../src/modules/identity/totp.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const missingMessage = () =>
  `Chromium is not installed at ${CHROMIUM_PATH}: the browser tests need Debian's Chromium (apt-get install chromium). ` +
  'Never download a browser for them (no `npx playwright install`).';

/**
 * Why the browser suite should be skipped, or false to run it. Only outside CI: in CI a
 * missing browser is not skipped but fails the run (launchBrowser throws).
 */
export function browserSkipReason(): string | false {
  if (existsSync(CHROMIUM_PATH) || process.env.CI) return false;
  const message = `${missingMessage()} Skipping the browser tests (not in CI).`;
  process.stderr.write(`${message}\n`);
  return message;
}

/** Starts headless Chromium; fails with a clear message when it is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(missingMessage());
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: LAUNCH_ARGS, timeout: 30_000 });
}

export const A11Y_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Runs axe (WCAG 2.1 A and AA) on the page and fails listing every serious or critical violation. */
export async function checkA11y(page: Page, label: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(A11Y_TAGS).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (process.env.CITYDESK_A11Y_VERBOSE === '1') {
    // Diagnostics only: the lesser violations and what axe could not decide.
    for (const v of result.violations.filter((x) => !bad.includes(x))) process.stderr.write(`a11y ${label}: [${v.impact}] ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}\n`);
    for (const v of result.incomplete) process.stderr.write(`a11y ${label}: [needs review, ${v.impact}] ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}\n`);
  }
  if (!bad.length) return;
  const lines = bad.map((v) => {
    const nodes = v.nodes.map((n) => `      ${n.target.map(String).join(' ')}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`);
    return [`  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`, ...nodes].join('\n');
  });
  assert.fail(`Accessibility violations on ${label} (${page.url()}):\n${lines.join('\n')}`);
}

/** The current code of a TOTP secret (the server accepts one step either side). */
export const totp = (secret: string): string => currentTotp(secret);

/** Reads the TOTP secret shown on the enrolment page. */
export async function readTotpSecret(page: Page): Promise<string> {
  const secret = (await page.locator('[data-testid=totp-secret]').textContent())?.trim() ?? '';
  assert.match(secret, /^[A-Z2-7]{16,}$/, 'the enrolment page shows a base32 TOTP secret');
  return secret;
}

/**
 * Clicks something that loads a new document (a link, a form's submit button) and waits
 * until that document has loaded. Works for POST → 200 pages and for redirects alike.
 */
export async function clickAndLoad(page: Page, target: Locator, timeout = 20_000): Promise<void> {
  const loaded = page.waitForEvent('load', { timeout });
  await target.click({ timeout });
  await loaded;
}

/** The `<html>` element's lang and dir. */
export async function htmlLangDir(page: Page): Promise<{ lang: string | null; dir: string | null }> {
  const root = page.locator('html');
  return { lang: await root.getAttribute('lang'), dir: await root.getAttribute('dir') };
}

const SCREENSHOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots');

/** Full-page screenshot into docs/screenshots/, only when CITYDESK_SCREENSHOTS=1 (so CI leaves the tree clean). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.CITYDESK_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, name), fullPage: true, animations: 'disabled' });
}

/** WCAG 1.4.10 (reflow), which axe does not test: the page must not scroll sideways at its viewport's width. */
export async function assertNoHorizontalScroll(page: Page, label: string): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(scroll <= client, `${label} (${page.url()}) scrolls sideways: ${scroll}px of content in a ${client}px viewport`);
}

export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
export const DESKTOP = { viewport: { width: 1280, height: 900 } };

/** Runs `fn` on a page of a fresh browser context (own cookies), closed afterwards. */
export async function inContext(browser: Browser, options: Parameters<Browser['newContext']>[0], fn: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(15_000);
  try {
    await fn(await context.newPage());
  } finally {
    await context.close();
  }
}
