/**
 * End to end in a real browser: the real VS Code workbench (code-server) with the extension under development,
 * driven like a person would. Screenshots land in test-results/ — look at them.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { resultsDir, useWorkbench } from '../support/workbench';

describe('workbench (e2e)', function () {
  let page: Page;
  useWorkbench((p) => (page = p));


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
