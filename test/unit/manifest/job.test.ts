import { strict as assert } from 'node:assert';
import { hoverAt, validateText } from '../../../src/manifest';
import { brief } from './helpers';

const JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  completions: 3
  backoffLimt: 2
  template:
    spec:
      containers:
      - name: pi
        image: busybox:1.36
        command: ["sh", "-c", "echo hi"]
`;

describe('manifest: Jobs get diagnostics and hovers like Deployments', () => {
  it('reports an unknown field and the missing restartPolicy, and hovers the schema', () => {
    const result = validateText(JOB);
    const found = result.diagnostics.map((d) => ({ ...brief(JOB, d), message: d.message }));
    assert.ok(found.some((d) => d.rule === 'unknown-field' && d.text === 'backoffLimt'), JSON.stringify(found));
    assert.ok(found.some((d) => d.rule === 'required-field' && d.message.includes('spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"')), JSON.stringify(found));
    assert.equal(hoverAt(result, JOB.indexOf('completions'))?.type, 'integer');
    const fixed = JOB.replace('  backoffLimt: 2\n', '').replace('      containers:', '      restartPolicy: Never\n      containers:');
    assert.deepEqual(validateText(fixed).diagnostics.map((d) => d.message), []);
  });
});
