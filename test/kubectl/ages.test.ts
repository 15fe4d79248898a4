/**
 * Ages kubectl computes on its own clock: `kubectl get events` LAST SEEN and the Events table of
 * `kubectl describe` subtract the object's timestamps from kubectl's wall time, so the lab's clock must
 * start at the wall time (at speed 1 the two stay together). With the fixed epoch of deterministic runs
 * (2026-01-01) they would read hundreds of days.
 */
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, header, kubectl, rows, startLab, type Lab } from './lab-serve';

const POD = `apiVersion: v1
kind: Pod
metadata: {name: clocked}
spec:
  containers:
  - name: nginx
    image: nginx:1.27
`;

/** A kubectl age of seconds or minutes ("7s", "45s", "2m", "2m5s"), not hours or days. */
const SMALL_AGE = /^(\d+s|\d+m(\d+s)?)$/;

describe('kubectl ages against k8s-lab serve (wall-clock epoch)', function () {
  this.timeout(60_000);
  let lab: Lab;
  const k = (...args: string[]) => kubectl(lab, args);

  before(async () => {
    lab = await startLab(['--speed', '1']);
    const path = join(lab.dir, 'pod.yaml');
    writeFileSync(path, POD);
    const r = await k('apply', '-f', path);
    assert.equal(r.code, 0, r.stderr);
    // The scheduler's event comes within a second or two of real time at speed 1.
    const scheduled = await eventually(async () => /Scheduled/.test((await k('get', 'events', '--field-selector', 'involvedObject.name=clocked')).stdout), 20_000);
    assert.ok(scheduled, 'the pod was scheduled (Scheduled event)');
  });

  after(async () => {
    await lab?.stop();
  });

  it('get events shows LAST SEEN in seconds or minutes', async () => {
    const r = await k('get', 'events', '--field-selector', 'involvedObject.name=clocked');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(header(r.stdout).slice(0, 4), ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT']);
    const table = rows(r.stdout);
    assert.ok(table.length > 0, r.stdout);
    for (const row of table) assert.match(row[0], SMALL_AGE, r.stdout);
  });

  it('describe pod shows event ages in seconds or minutes', async () => {
    const r = await k('describe', 'pod', 'clocked');
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout.slice(r.stdout.indexOf('\nEvents:'));
    const lines = events.split('\n').filter((l) => /^\s+Normal\s+Scheduled\s/.test(l));
    assert.equal(lines.length, 1, events);
    // Type, Reason, Age, From, Message.
    const age = lines[0].trim().split(/\s{2,}/)[2];
    assert.match(age, SMALL_AGE, events);
  });

  it('creationTimestamp is close to the wall clock', async () => {
    const r = await k('get', 'pod', 'clocked', '-o', 'jsonpath={.metadata.creationTimestamp}');
    assert.equal(r.code, 0, r.stderr);
    const skewMs = Math.abs(Date.now() - Date.parse(r.stdout));
    assert.ok(skewMs < 60_000, `creationTimestamp ${r.stdout} is ${Math.round(skewMs / 1000)} s from now`);
  });
});
