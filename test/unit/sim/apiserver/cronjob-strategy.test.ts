import { strict as assert } from 'node:assert';
import { startCluster } from '../controllers/helpers';
import { call, message } from '../support/harness';
import type { CronJob } from '../../../../src/sim/api/types';

function body(name: string, spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = { restartPolicy: 'OnFailure' }): Record<string, unknown> {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name },
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...podSpec } } } }, ...spec },
  };
}

const create = (cluster: ReturnType<typeof startCluster>, b: Record<string, unknown>) =>
  call(cluster, { verb: 'create', apiVersion: 'batch/v1', resource: 'cronjobs', namespace: 'default', body: b });

describe('CronJobs: the API server (cronjob strategy and validation)', () => {
  it('defaults as upstream: Allow, not suspended, history 3 and 1, the template gets pod spec defaults but no Job defaults', () => {
    const cluster = startCluster();
    const res = create(cluster, body('a'));
    assert.equal(res.code, 201, message(res));
    const cj = res.body as CronJob;
    assert.equal(cj.spec.concurrencyPolicy, 'Allow');
    assert.equal(cj.spec.suspend, false);
    assert.equal(cj.spec.successfulJobsHistoryLimit, 3);
    assert.equal(cj.spec.failedJobsHistoryLimit, 1);
    assert.equal(cj.spec.jobTemplate.spec.template.spec.dnsPolicy, 'ClusterFirst');
    assert.equal(cj.spec.jobTemplate.spec.template.spec.terminationGracePeriodSeconds, 30);
    assert.equal(cj.spec.jobTemplate.spec.backoffLimit, undefined);
    assert.equal(cj.metadata.generation, 1);
  });

  it("refuses bad schedules, TZ in the schedule, bad time zones, negative counts, a template restartPolicy of Always, with upstream's messages", () => {
    const cluster = startCluster();
    const msg = (b: Record<string, unknown>) => {
      const r = create(cluster, b);
      assert.equal(r.code, 422, JSON.stringify(r.body));
      return message(r);
    };
    assert.equal(msg(body('b', { schedule: 'error' })), 'CronJob.batch "b" is invalid: spec.schedule: Invalid value: "error": expected exactly 5 fields, found 1: [error]');
    assert.equal(msg(body('b', { schedule: '' })), 'CronJob.batch "b" is invalid: spec.schedule: Required value');
    assert.equal(msg(body('b', { schedule: '61 * * * *' })), 'CronJob.batch "b" is invalid: spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61');
    assert.equal(msg(body('b', { schedule: 'TZ=UTC 0 * * * *' })), 'CronJob.batch "b" is invalid: spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead');
    assert.equal(msg(body('b', { timeZone: '' })), 'CronJob.batch "b" is invalid: spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string');
    assert.equal(msg(body('b', { timeZone: 'Mars/Olympus_Mons' })), 'CronJob.batch "b" is invalid: spec.timeZone: Invalid value: "Mars/Olympus_Mons": unknown time zone Mars/Olympus_Mons');
    assert.equal(msg(body('b', { timeZone: 'Local' })), 'CronJob.batch "b" is invalid: spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones');
    assert.equal(msg(body('b', { startingDeadlineSeconds: -1 })), 'CronJob.batch "b" is invalid: spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0');
    assert.equal(msg(body('b', { concurrencyPolicy: 'Sometimes' })), 'CronJob.batch "b" is invalid: spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"');
    assert.equal(msg(body('b', {}, { restartPolicy: 'Always' })), 'CronJob.batch "b" is invalid: spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"');
    assert.equal(msg(body('x'.repeat(53))), `CronJob.batch "${'x'.repeat(53)}" is invalid: metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`);
    const located = create(cluster, body('b', { schedule: 'nope' }));
    assert.deepEqual((located.body as { details?: { causes?: unknown[] } }).details?.causes, [
      { reason: 'FieldValueInvalid', message: 'Invalid value: "nope": expected exactly 5 fields, found 1: [nope]', field: 'spec.schedule' },
    ]);
    for (const tz of ['UTC', 'Etc/UTC', 'Etc/GMT+5', 'Europe/Paris', 'America/New_York']) {
      const ok = create(cluster, body(`tz-${tz.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, { timeZone: tz }));
      assert.equal(ok.code, 201, `${tz}: ${message(ok)}`);
    }
    for (const schedule of ['@hourly', '@every 1h30m', '0 0 * * MON-FRI', '*/10 8-18 1,15 JAN-JUN ?']) {
      const ok = create(cluster, body(`s-${Math.abs([...schedule].reduce((h, c) => h * 31 + c.charCodeAt(0), 7) % 100000)}`, { schedule }));
      assert.equal(ok.code, 201, `${schedule}: ${message(ok)}`);
    }
    assert.equal(create(cluster, body('y'.repeat(52))).code, 201, '52 characters are fine');
  });

  it('a jobTemplate with a selector is refused: it is generated for each Job', () => {
    const cluster = startCluster();
    const b = body('sel');
    ((b.spec as { jobTemplate: { spec: Record<string, unknown> } }).jobTemplate.spec).selector = { matchLabels: { a: 'b' } };
    const r = create(cluster, b);
    assert.equal(r.code, 422);
    assert.equal(message(r), 'CronJob.batch "sel" is invalid: spec.jobTemplate.spec.selector: Invalid value: map[string]interface {}{"matchLabels":map[string]string{"a":"b"}}: `selector` will be auto-generated');
  });
});
