/**
 * End to end in a real browser: the real VS Code workbench (code-server) with the extension under development,
 * driven like a person would. Screenshots land in test-results/ — look at them.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newWorkbenchPage, repoRoot, startCodeServer, workbenchUrl, type CodeServer } from '../support/workbench';

const resultsDir = join(repoRoot, 'test-results');

describe('workbench (e2e)', function () {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;

  before(async function () {
    mkdirSync(resultsDir, { recursive: true });
    server = await startCodeServer();
    browser = await launchBrowser();
    page = await newWorkbenchPage(browser);
    await page.goto(workbenchUrl(server, { folder: join(repoRoot, 'examples'), extensionDevelopmentPath: repoRoot }));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the Kubernetes Lab container with the Start welcome content', async () => {
    const icon = page.locator('.activitybar .action-item a[aria-label^="Kubernetes Lab"]');
    await icon.waitFor({ timeout: 60_000 });
    await icon.click();
    const welcome = page.locator('.part.sidebar .welcome-view-content');
    await welcome.waitFor({ timeout: 30_000 });
    const text = await welcome.innerText();
    assert.match(text, /No lab cluster is running/);
    const button = page.locator('.part.sidebar .welcome-view-content a.monaco-button', { hasText: 'Start the lab cluster' });
    await button.waitFor();
    await page.screenshot({ path: join(resultsDir, 'welcome.png') });
  });
});
