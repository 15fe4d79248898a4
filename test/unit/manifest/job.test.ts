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

describe('manifest: Indexed Jobs and pod failure policies in the editor', () => {
  it('underlines a bad pod failure policy rule at its field, with the API server\'s message', () => {
    const text = `apiVersion: batch/v1
kind: Job
metadata:
  name: pfp
spec:
  podFailurePolicy:
    rules:
    - action: FailJob
      onExitCodes:
        operator: In
        values: [0, 42]
  template:
    spec:
      restartPolicy: OnFailure
      containers:
      - name: main
        image: busybox:1.36
`;
    const found = validateText(text).diagnostics.map((d) => ({ ...brief(text, d), message: d.message }));
    assert.ok(found.some((d) => d.message.includes('spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator') && d.text === '0'), JSON.stringify(found));
    assert.ok(found.some((d) => d.message.includes('only "Never" is supported when podFailurePolicy is specified') && d.text === 'OnFailure'), JSON.stringify(found));
    const fixed = text.replace('[0, 42]', '[42]').replace('OnFailure', 'Never');
    assert.deepEqual(validateText(fixed).diagnostics.map((d) => d.message), []);
  });
});
