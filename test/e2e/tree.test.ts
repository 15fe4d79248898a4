/**
 * The Cluster view in a real browser, in the real workbench, driven as a person would: start the lab,
 * apply the example Deployment with its CodeLens, watch its pods run in fast-forward, then fail a zone from
 * the context menu and watch the replacements. Screenshots: test-results/tree-*.png — look at them.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { resultsDir, runCommand, useWorkbench } from '../support/workbench';

/** Pick a speed in the status bar's picker, as a person would, until the status bar shows it. */
async function setSpeed(page: Page, label: string, shown: RegExp): Promise<void> {
  const status = page.locator('.statusbar-item', { hasText: /Healthy|Degraded|No etcd quorum/ }).first();
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.keyboard.press('Escape');
    await status.click();
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
    await row.waitFor();
    await row.click();
    for (let i = 0; i < 20; i++) {
      if (shown.test(await status.innerText())) return;
      await page.waitForTimeout(100);
    }
  }
  throw new Error(`the speed did not change to ${label}: ${await status.innerText()}`);
}

describe('cluster tree (e2e)', function () {
  let page: Page;
  useWorkbench((p) => (page = p));
  const rows = (): Locator => page.locator('.part.sidebar .pane-body .monaco-list-row');
  const row = (label: string): Locator => rows().filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) }).first();

  /** Expand a collapsed row (clicking its twistie). */
  async function expand(label: string): Promise<void> {
    const r = row(label);
    await r.waitFor({ timeout: 30_000 });
    if ((await r.getAttribute('aria-expanded')) === 'false') await r.locator('.monaco-tl-twistie').click();
  }

  /** Each row as "label description". */
  async function rowTexts(): Promise<string[]> {
    return rows().evaluateAll((els) => els.map((el) => `${el.querySelector('.label-name')?.textContent ?? ''} ${el.querySelector('.label-description')?.textContent ?? ''}`.trim()));
  }

  async function countRows(pattern: RegExp): Promise<number> {
    return (await rowTexts()).filter((t) => pattern.test(t)).length;
  }

  async function waitRows(what: string, pattern: RegExp, count: number, timeoutMs = 90_000): Promise<void> {
    const began = Date.now();
    const deadline = began + timeoutMs;
    while ((await countRows(pattern)) < count) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${(await rowTexts()).join('\n')}`);
      await page.waitForTimeout(500);
    }
    console.log(`      ${what}: ${Date.now() - began} ms`);
  }


  it('starts the lab and applies the example Deployment from its CodeLens: six pods Running over three zones', async () => {
    const icon = page.locator('.activitybar .action-item a[aria-label^="Kubernetes Lab"]');
    await icon.waitFor({ timeout: 60_000 });
    await icon.click();
    await page.locator('.part.sidebar .welcome-view-content a.monaco-button', { hasText: 'Start the lab cluster' }).click();
    await row('Cluster').waitFor({ timeout: 60_000 });
    // Widen the side bar, as a learner would, so descriptions are readable.
    const box = (await page.locator('.part.sidebar').boundingBox())!;
    await page.mouse.move(box.x + box.width + 1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width + 220, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await runCommand(page, 'Go to File');
    await page.keyboard.type('deployment.yaml');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'deployment.yaml' }).first().waitFor();
    await page.keyboard.press('Enter');
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Apply to lab' }).first();
    await lens.waitFor({ timeout: 30_000 });
    await setSpeed(page, 'Fast-forward', /fast-forward$/);
    await lens.click();
    // A node row gets its twistie once it holds pods.
    await waitRows('pods on the three workers', /^worker-\d worker · Ready · cpu 500m\/4/, 3);
    for (const worker of ['worker-1', 'worker-2', 'worker-3']) await expand(worker);
    await waitRows('six Running web pods', /^web-[a-z0-9]+-[a-z0-9]+ Running/, 6);
    await setSpeed(page, 'Pause', /paused$/);
    await page.waitForTimeout(500);
    assert.equal(await countRows(/^worker-\d worker · Ready/), 3);
    const status = await page.locator('.statusbar-item', { hasText: 'paused' }).first().innerText();
    assert.match(status, /Healthy · T\+[\dhms]+ · paused/);
    await page.screenshot({ path: join(resultsDir, 'tree-deployment.png') });
  });

  it('fails a zone from its context menu: its nodes go NotReady, their pods are evicted and replaced', async () => {
    await row('us-east-2c').click({ button: 'right' });
    const item = page.locator('.context-view .action-label', { hasText: 'Fail Zone' });
    await item.waitFor();
    await page.waitForTimeout(300); // a menu ignores clicks for a moment after it opens
    await item.click();
    await waitRows('the failed zone', /^us-east-2c failed · /, 1, 15_000);
    await setSpeed(page, 'Fast-forward', /fast-forward$/);
    await waitRows('worker-3 NotReady', /^worker-3 worker · powered off · NotReady/, 1);
    // node-monitor-grace-period, then 300 s of toleration: the pods on worker-3 are evicted (Terminating: the
    // kubelet that would confirm is down) and the ReplicaSet creates replacements, Running elsewhere or waiting.
    await waitRows('the evicted pods', /^web-[a-z0-9]+-[a-z0-9]+ Terminating/, 2, 180_000);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const texts = await rowTexts();
      const runningRows = texts.filter((t) => /^web-[a-z0-9]+-[a-z0-9]+ Running/.test(t)).length;
      const waiting = Number(/^Unscheduled (\d+)$/.exec(texts.find((t) => t.startsWith('Unscheduled')) ?? '')?.[1] ?? 0);
      if (runningRows + waiting === 6) break;
      if (Date.now() > deadline) throw new Error(`replacements: ${runningRows} Running, ${waiting} unscheduled\n${texts.join('\n')}`);
      await page.waitForTimeout(500);
    }
    await setSpeed(page, 'Pause', /paused$/);
    await page.waitForTimeout(500);
    assert.match(await row('us-east-2c').innerText(), /failed · 0\/2 nodes Ready/);
    assert.match(await row('Cluster').innerText(), /Degraded/);
    await row('worker-3').hover();
    await page.locator('.monaco-hover, .workbench-hover', { hasText: 'Powered off by a fault' }).first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(resultsDir, 'tree-zone-failure.png') });
  });
});
