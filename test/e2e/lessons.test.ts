/**
 * The lessons on the Welcome page, as a learner meets them: the walkthrough list and one lesson step with its
 * picture. Screenshots: test-results/lessons-*.png.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { resultsDir, runCommand, useWorkbench } from '../support/workbench';

describe('lessons (e2e)', function () {
  let page: Page;
  useWorkbench((p) => (page = p));


  it('opens the first lesson from the walkthroughs, with the architecture picture, and completes its first step', async () => {
    await runCommand(page, 'Welcome: Open Walkthrough...');
    const pick = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Kubernetes Lab 1' }).first();
    await pick.waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(resultsDir, 'lessons-list.png') });
    // The list is virtualised: filter for the last lesson to see that all nine are there.
    const input = page.locator('.quick-input-widget input');
    await input.fill('Kubernetes Lab 9');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Priority and preemption' }).first().waitFor({ timeout: 10_000 });
    await input.fill('Kubernetes Lab 1');
    await pick.click();

    const walkthrough = page.locator('.gettingStartedContainer');
    await walkthrough.locator('h2', { hasText: 'The architecture' }).first().waitFor({ timeout: 30_000 });
    const step = walkthrough.locator('.getting-started-step', { hasText: 'Start the lab cluster' }).first();
    await step.waitFor();
    // The step's picture is the architecture SVG, drawn in the theme's colours.
    const picture = page.frameLocator('.getting-started-media iframe').frameLocator('#active-frame').locator('svg title', { hasText: 'A highly-available Kubernetes cluster' });
    await picture.waitFor({ state: 'attached', timeout: 30_000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(resultsDir, 'lessons-architecture.png') });

    // Doing the step (starting the lab) completes it: the check reads the cluster's state.
    await step.locator('a', { hasText: 'Start the lab cluster' }).first().click();
    const done = walkthrough.locator('.getting-started-step[aria-checked="true"]', { hasText: 'Start the lab cluster' });
    try {
      await done.first().waitFor({ timeout: 60_000 });
    } catch (err) {
      throw new Error(`step not completed: ${(await step.evaluate((e) => e.outerHTML)).slice(0, 1500)}\n${String(err)}`);
    }
    // Six Ready nodes follow a few simulated seconds later: the second step completes by itself.
    const nodes = walkthrough.locator('.getting-started-step', { hasText: 'Find the six nodes' }).first();
    await walkthrough.locator('.getting-started-step[aria-checked="true"]', { hasText: 'Find the six nodes' }).first().waitFor({ timeout: 60_000 });
    assert.equal(await nodes.getAttribute('aria-checked'), 'true');
    await page.screenshot({ path: join(resultsDir, 'lessons-step-done.png') });
  });
});
