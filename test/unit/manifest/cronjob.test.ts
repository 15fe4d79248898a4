import { strict as assert } from 'node:assert';
import { hoverAt, validateText } from '../../../src/manifest';
import { brief } from './helpers';

const CRONJOB = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "*/5 25 * * *"
  timeZone: Mars/Olympus
  concurencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: report
            image: busybox:1.36
            command: ["sh", "-c", "echo hi"]
`;

describe('manifest: CronJobs get diagnostics and hovers like Jobs', () => {
  it('reports a bad schedule at the schedule, a bad time zone, an unknown field, the missing restartPolicy; hovers the schema', () => {
    const result = validateText(CRONJOB);
    const found = result.diagnostics.map((d) => ({ ...brief(CRONJOB, d), message: d.message }));
    const schedule = found.find((d) => d.message.startsWith('spec.schedule:'));
    assert.equal(schedule?.text, '"*/5 25 * * *"', JSON.stringify(found));
    assert.equal(schedule?.message, 'spec.schedule: Invalid value: "*/5 25 * * *": end of range (25) above maximum (23): 25');
    assert.ok(found.some((d) => d.text === 'Mars/Olympus' && d.message === 'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus'), JSON.stringify(found));
    assert.ok(found.some((d) => d.rule === 'unknown-field' && d.text === 'concurencyPolicy'), JSON.stringify(found));
    assert.ok(found.some((d) => d.message.includes('spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"')), JSON.stringify(found));
    const hover = hoverAt(result, CRONJOB.indexOf('schedule'));
    assert.equal(hover?.type, 'string');
    const fixed = CRONJOB.replace('*/5 25 * * *', '*/5 23 * * *').replace('Mars/Olympus', 'Europe/Paris').replace('concurencyPolicy', 'concurrencyPolicy')
      .replace('          containers:', '          restartPolicy: OnFailure\n          containers:');
    assert.deepEqual(validateText(fixed).diagnostics.map((d) => d.message), []);
  });
});
