/**
 * The request flow in a real browser, in the real workbench: apply the example pod and trace it, then step
 * through the pod-creation trace as a person would (keyboard), with screenshots of the first step, the
 * scheduling step and the final status step, and the scheduling step again in the Dark High Contrast theme, in
 * test-results/flow-*.png — look at them.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { resultsDir, runCommand, useWorkbench } from '../support/workbench';

describe('request flow (e2e)', function () {
  let page: Page;
  useWorkbench((p) => (page = p));
  let flow: FrameLocator;

  /** The title of the step the details pane shows. */
  const stepTitle = () => flow.locator('.details .step-title').innerText();

  /** Press a key in the sequence diagram until the selected step's title matches. */
  async function stepUntil(key: string, pattern: RegExp, limit = 200): Promise<string> {
    for (let i = 0; i < limit; i++) {
      const title = await stepTitle();
      if (pattern.test(title)) return title;
      await page.keyboard.press(key);
    }
    throw new Error(`no step matching ${pattern} within ${limit} presses of ${key}`);
  }

  async function shot(name: string): Promise<void> {
    await flow.locator('.details .explanation').waitFor({ timeout: 10_000 });
    await page.waitForTimeout(700); // the message dot finishes its path
    await page.screenshot({ path: join(resultsDir, `flow-${name}.png`) });
  }


  it('applies the example pod and opens its trace in the request flow', async () => {
    await runCommand(page, 'Go to File');
    await page.keyboard.type('pod.yaml');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'pod.yaml' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: 'kind: Pod' }).waitFor({ timeout: 30_000 });
    await runCommand(page, 'Kubernetes Lab: Start the Lab Cluster');
    await runCommand(page, 'Kubernetes Lab: Apply Manifest and Trace');
    flow = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
    await flow.locator('.seq-row').first().waitFor({ timeout: 60_000 });
    // Hide the side bar: the flow gets the whole width, as a learner would give it.
    await page.keyboard.press('Control+B');
    await flow.locator('.seq-scroll').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Home');
    assert.match(await stepTitle(), /^GET|^POST/);
    await shot('first');
  });

  it('steps to the scheduling decision: filter and score per node', async () => {
    const title = await stepUntil('ArrowRight', /^bind default\/|nodes are available/);
    assert.match(title, /worker-\d/);
    const table = flow.locator('.details table.schedule-table');
    await table.waitFor();
    const rows = await table.locator('tbody tr').count();
    assert.equal(rows, 6, 'one row per node');
    assert.match(await table.locator('tr.chosen').innerText(), /worker-\d/);
    assert.match(await flow.locator('.details .reality').innerText(), /Nobody calls the scheduler/);
    await shot('scheduling');
  });

  it('ends with the kubelet\'s status, committed by a quorum and Running', async () => {
    // The lab runs in real time: wait until the container has started (a live step). The sequence diagram draws
    // only the rows in view, so look for the step by walking back from the end, not for its label on screen.
    for (let i = 0; ; i++) {
      await page.keyboard.press('End');
      const last = await stepTitle();
      const started = await stepUntil('ArrowLeft', /StartContainer/, 80).then(() => true, () => false);
      if (started) break;
      if (i > 60) throw new Error(`the container did not start; last step: ${last}`);
      await page.waitForTimeout(1000);
    }
    await page.waitForTimeout(1000);
    await page.keyboard.press('End');
    const title = await stepUntil('ArrowLeft', /^PATCH .*\/status$/);
    assert.match(title, /pods\/[a-z0-9-]+\/status$/);
    await stepUntil('ArrowRight', /^commit /, 20);
    await flow.locator('.details .quorum').waitFor();
    assert.match(await flow.locator('.details .quorum').innerText(), /of 3 members hold the entry; 2 are needed — committed/);
    await stepUntil('ArrowRight', /^200 OK/, 20);
    const object = flow.locator('.details .object pre.yaml.diff');
    await object.waitFor();
    assert.match(await object.innerText(), /phase: Running/);
    await shot('status');
  });

  it('follows a High Contrast theme: the webview takes the theme\'s colours and borders', async () => {
    // Preferences: Color Theme, by its key chord (the palette's first match for the title can be the marketplace's).
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+T');
    // The theme picker lists the current theme once it is open; then narrow it to High Contrast.
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    await rows.filter({ hasText: 'Dark Modern' }).first().waitFor();
    await page.locator('.quick-input-widget input').fill('Dark High Contrast');
    await rows.filter({ hasText: 'Dark High Contrast' }).first().waitFor();
    await page.keyboard.press('Enter');
    // VS Code marks a webview's body with the kind of theme and passes the theme's colours as CSS variables.
    await flow.locator('body.vscode-high-contrast').waitFor({ timeout: 15_000 });
    await flow.locator('.seq-scroll').click({ position: { x: 5, y: 5 } });
    await stepUntil('Home', /^GET|^POST/, 2);
    await stepUntil('ArrowRight', /^bind default\/|nodes are available/);
    const background = await flow.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.equal(background, 'rgb(0, 0, 0)', 'the High Contrast editor background');
    await shot('high-contrast');
  });
});
