/**
 * Request-flow webview benchmark, measured in the browser (Debian's Chromium through playwright-core):
 * the real webview bundle in a plain page with a stub acquireVsCodeApi that answers like the host
 * (the view and step details computed by the real projection). Prints, does not assert:
 *   - open: from the `trace` message (10,000 steps) to the first step drawn with its details (< 1 s wanted)
 *   - step: from a key press to the next step drawn with its details (< 16 ms wanted)
 * Run: node scripts/build.mjs && node dist/bench/flow.bench.js [--events N] [--screenshot]
 */
import { readFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { TraceProjection } from '../src/sim/trace';
import type { HostToWebview, StepDetail } from '../src/protocol';
import { LogBuilder, podCreationTrace } from '../test/unit/sim/trace/pod-trace';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/support/workbench';

const root = resolve(__dirname, '..', '..');
const arg = (name: string) => process.argv[process.argv.indexOf(name) + 1];
const events = process.argv.includes('--events') ? Number(arg('--events')) : 10_000;
const STEPS_MEASURED = 200;
const ORIGIN = 'http://flow-bench.invalid';

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main(): Promise<void> {
  // A trace of `events` entries: pod creations one after another, lease renewals interleaved.
  const builder = new LogBuilder();
  for (let i = 0; builder.entries.length < events; i++) podCreationTrace(builder, { name: `web-${i}`, traceId: `t${i + 1}`, revision: 12 + i * 5 });
  const entries = builder.entries.slice(0, events);
  const started = performance.now();
  const projection = new TraceProjection({ source: 'live' });
  projection.add(entries);
  const filter = { collapseHeartbeats: false };
  const view = projection.view(filter);
  const projectMs = performance.now() - started;
  // Details for the steps the page will visit, precomputed so the stub answers at once, as the host would.
  const details: Record<number, StepDetail> = {};
  const detailStarted = performance.now();
  for (const step of view.steps.slice(0, STEPS_MEASURED + 2)) details[step.id] = projection.detail(step.id, filter)!;
  const detailMs = (performance.now() - detailStarted) / (STEPS_MEASURED + 2);
  const trace: HostToWebview = { type: 'trace', view, traces: [{ source: 'live', label: 'Everything, live', t: 0 }] };
  const payload = JSON.stringify(trace);

  const page = `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<link rel="stylesheet" href="${ORIGIN}/flow.css"><title>flow bench</title>
<style>:root { --vscode-font-family: sans-serif; --vscode-font-size: 13px; --vscode-foreground: #ccc; --vscode-editor-background: #1e1e1e; --vscode-descriptionForeground: #999; --vscode-focusBorder: #007fd4; --vscode-panel-border: #444; --vscode-badge-background: #4d4d4d; --vscode-badge-foreground: #fff; --vscode-textCodeBlock-background: #2a2a2a; --vscode-list-activeSelectionBackground: #04395e; }</style>
<script>
  window.__rendered = [];
  const details = window.__details = {};
  let state;
  window.acquireVsCodeApi = () => ({
    postMessage(m) {
      if (m.type === 'ready') { window.__traceSentAt = performance.now(); window.postMessage(window.__trace, '*'); }
      else if (m.type === 'getStepDetail') window.postMessage({ type: 'stepDetail', requestId: m.requestId, detail: details[m.id] }, '*');
      else if (m.type === 'rendered') window.__rendered.push({ ...m, at: performance.now() });
    },
    getState: () => state,
    setState: (s) => { state = s; },
  });
</script>
<script src="${ORIGIN}/data.js"></script>
<script type="module" src="${ORIGIN}/vscode-elements.js"></script>
<script type="module" src="${ORIGIN}/flow.js"></script>
</head><body class="vscode-dark"><div id="flow"></div></body></html>`;

  const files: Record<string, { body: string | Buffer; type: string }> = {
    '/': { body: page, type: 'text/html' },
    '/flow.css': { body: readFileSync(join(root, 'media', 'flow.css')), type: 'text/css' },
    '/flow.js': { body: readFileSync(join(root, 'dist', 'webview', 'flow.js')), type: 'text/javascript' },
    '/vscode-elements.js': { body: readFileSync(join(root, 'dist', 'webview', 'vscode-elements.js')), type: 'text/javascript' },
    '/data.js': { body: `window.__trace = ${payload}; Object.assign(window.__details, ${JSON.stringify(details)});`, type: 'text/javascript' },
  };
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const tab = await context.newPage();
    await tab.route(`${ORIGIN}/**`, (route) => {
      const file = files[new URL(route.request().url()).pathname];
      return file ? route.fulfill({ body: file.body, contentType: file.type }) : route.fulfill({ status: 404 });
    });
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(`${ORIGIN}/`);
    await tab.waitForFunction(() => (window as unknown as { __rendered: unknown[] }).__rendered.length > 0, undefined, { timeout: 30_000 });
    const open = await tab.evaluate(() => {
      const w = window as unknown as { __rendered: { at: number; steps: number }[]; __traceSentAt: number };
      return { ms: w.__rendered[0].at - w.__traceSentAt, steps: w.__rendered[0].steps };
    });
    await tab.locator('.seq-scroll').focus();
    const stepTimes: number[] = [];
    for (let i = 0; i < STEPS_MEASURED; i++) {
      const before = await tab.evaluate(() => (window as unknown as { __rendered: unknown[] }).__rendered.length);
      await tab.keyboard.press('ArrowRight');
      await tab.waitForFunction((n) => (window as unknown as { __rendered: unknown[] }).__rendered.length > n, before);
      stepTimes.push(await tab.evaluate(() => {
        const r = (window as unknown as { __rendered: { ms: number }[] }).__rendered;
        return r[r.length - 1].ms;
      }));
    }
    // The same, to the frame painted: key press → the next frame after the step is drawn with its details.
    const painted = await tab.evaluate(async (count) => {
      const w = window as unknown as { __rendered: unknown[] };
      const afterPaint = () => new Promise<void>((done) => requestAnimationFrame(() => { const c = new MessageChannel(); c.port1.onmessage = () => done(); c.port2.postMessage(0); }));
      const times: number[] = [];
      for (let i = 0; i < count; i++) {
        const before = w.__rendered.length;
        const t0 = performance.now();
        window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }));
        while (w.__rendered.length === before) await new Promise((r) => setTimeout(r, 0));
        await afterPaint();
        times.push(performance.now() - t0);
      }
      return times;
    }, STEPS_MEASURED);
    // Scrolling through the virtualized diagram: frame time while jumping to the end and back.
    const jump = await tab.evaluate(async () => {
      const t0 = performance.now();
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'End' }));
      await new Promise((r) => requestAnimationFrame(() => r(undefined)));
      return performance.now() - t0;
    });
    if (process.argv.includes('--screenshot')) {
      mkdirSync(join(root, 'test-results'), { recursive: true });
      await tab.keyboard.press('Home');
      for (let i = 0; i < 6; i++) await tab.keyboard.press('ArrowRight');
      await tab.waitForTimeout(800);
      await tab.screenshot({ path: join(root, 'test-results', 'flow-bench.png') });
    }
    console.log(`flow bench: ${entries.length} log entries → ${view.steps.length} steps, ${view.lifelines.length} lifelines`);
    console.log(`  projection (node): ${projectMs.toFixed(1)} ms for the whole view; step detail ${detailMs.toFixed(2)} ms each`);
    console.log(`  trace message: ${(payload.length / 1024 / 1024).toFixed(2)} MiB`);
    console.log(`  open (browser): ${open.ms.toFixed(1)} ms from the trace message to the first step drawn with its details (want < 1000 ms)`);
    console.log(`  step, script (browser): median ${quantile(stepTimes, 0.5).toFixed(2)} ms, p95 ${quantile(stepTimes, 0.95).toFixed(2)} ms, max ${Math.max(...stepTimes).toFixed(2)} ms over ${STEPS_MEASURED} steps (want < 16 ms)`);
    console.log(`  key press to the next frame shown, vsync wait included (browser): median ${quantile(painted, 0.5).toFixed(2)} ms, p95 ${quantile(painted, 0.95).toFixed(2)} ms, max ${Math.max(...painted).toFixed(2)} ms`);
    console.log(`  jump to the last step and paint: ${jump.toFixed(1)} ms`);
    if (errors.length) console.log(`  page errors: ${errors.join(' | ')}`);
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
