import { strict as assert } from 'node:assert';
import { startCluster } from '../controllers/helpers';
import { call, message } from '../support/harness';
import type { Job } from '../../../../src/sim/api/types';
import { validateObject, renderFieldError } from '../../../../src/manifest';

function jobBody(name: string, podSpec: Record<string, unknown>, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name }, spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...podSpec } }, ...spec } };
}

const create = (cluster: ReturnType<typeof startCluster>, body: Record<string, unknown>) =>
  call(cluster, { verb: 'create', apiVersion: 'batch/v1', resource: 'jobs', namespace: 'default', body });

describe('Jobs: the API server (job strategy and validation)', () => {
  it('defaults a Job as upstream: 1/1, backoffLimit 6, NonIndexed, not suspended, TerminatingOrFailed, a generated selector', () => {
    const cluster = startCluster();
    const res = create(cluster, jobBody('a', { restartPolicy: 'Never' }));
    assert.equal(res.code, 201, message(res));
    const job = res.body as Job;
    const uid = job.metadata.uid!;
    assert.deepEqual(
      (({ parallelism, completions, backoffLimit, completionMode, suspend, podReplacementPolicy, manualSelector, selector }) => ({ parallelism, completions, backoffLimit, completionMode, suspend, podReplacementPolicy, manualSelector, selector }))(job.spec),
      { parallelism: 1, completions: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed', manualSelector: false, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } } });
    assert.deepEqual(job.spec.template.metadata?.labels, { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'a', 'controller-uid': uid, 'job-name': 'a' });
    assert.equal(job.spec.template.spec.dnsPolicy, 'ClusterFirst', 'the template gets pod spec defaults');
    assert.equal(job.metadata.generation, 1);
    // parallelism alone: completions stay unset.
    const p = create(cluster, jobBody('b', { restartPolicy: 'OnFailure' }, { parallelism: 3 }));
    assert.equal(p.code, 201, message(p));
    assert.equal((p.body as Job).spec.completions, undefined);
    assert.equal((p.body as Job).spec.parallelism, 3);
  });

  it("refuses a template restartPolicy other than OnFailure or Never with upstream's messages", () => {
    const cluster = startCluster();
    const unset = create(cluster, jobBody('c', {}));
    assert.equal(unset.code, 422);
    assert.equal(message(unset), 'Job.batch "c" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"');
    assert.deepEqual((unset.body as { details?: { causes?: unknown[] } }).details?.causes, [
      { reason: 'FieldValueRequired', message: 'Required value: valid values: "OnFailure", "Never"', field: 'spec.template.spec.restartPolicy' },
    ]);
    const always = create(cluster, jobBody('c', { restartPolicy: 'Always' }));
    assert.equal(message(always), 'Job.batch "c" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"');
    const odd = create(cluster, jobBody('c', { restartPolicy: 'Sometimes' }));
    assert.equal(message(odd), 'Job.batch "c" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "OnFailure", "Never"');
    const negative = create(cluster, jobBody('c', { restartPolicy: 'Never' }, { backoffLimit: -1, parallelism: -2 }));
    assert.equal(message(negative), 'Job.batch "c" is invalid: [spec.parallelism: Invalid value: -2: must be greater than or equal to 0, spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0]');
  });

  it('keeps spec.template and spec.selector immutable; a wrong controller-uid label is refused', () => {
    const cluster = startCluster();
    const res = create(cluster, jobBody('d', { restartPolicy: 'Never' }));
    assert.equal(res.code, 201, message(res));
    const patch = (body: unknown) => call(cluster, { verb: 'patch', apiVersion: 'batch/v1', resource: 'jobs', namespace: 'default', name: 'd', patchType: 'application/merge-patch+json', body });
    const image = patch({ spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1.37' }] } } } });
    assert.equal(image.code, 422);
    assert.match(message(image), /^Job\.batch "d" is invalid: spec\.template: Invalid value: .*: field is immutable$/);
    const selector = patch({ spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'other' } } } });
    assert.equal(selector.code, 422);
    assert.match(message(selector), /spec\.selector: Invalid value: .*: field is immutable/);
    const parallelism = patch({ spec: { parallelism: 4 } });
    assert.equal(parallelism.code, 200, 'parallelism may change');
    assert.equal((parallelism.body as Job).metadata.generation, 2);
    const wrong = create(cluster, jobBody('e', { restartPolicy: 'Never' }));
    assert.equal(wrong.code, 201);
    const labelled = create(cluster, { ...jobBody('f', { restartPolicy: 'Never' }), spec: { template: { metadata: { labels: { 'controller-uid': 'mine' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] } } } });
    assert.equal(labelled.code, 422);
    assert.match(message(labelled), /spec\.template\.metadata\.labels\[controller-uid\]: Invalid value/);
  });

  it('a delete without a propagation policy orphans the pods (batch/v1 default)', () => {
    const cluster = startCluster();
    assert.equal(create(cluster, jobBody('g', { restartPolicy: 'Never' })).code, 201);
    const res = call(cluster, { verb: 'delete', apiVersion: 'batch/v1', resource: 'jobs', namespace: 'default', name: 'g' });
    assert.equal(res.code, 200, message(res));
    assert.deepEqual((res.body as Job).metadata.finalizers, ['orphan']);
  });

  it('the editor gets the same rules from the manifest layer', () => {
    const errs = validateObject(jobBody('h', {}, { completions: -1 }));
    assert.deepEqual(errs.map(renderFieldError), [
      'spec.completions: Invalid value: -1: must be greater than or equal to 0',
      'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    ]);
  });
});

describe('Jobs: validation of Indexed Jobs and pod failure policies (API server and editor, one set of rules)', () => {
  const messages = (body: Record<string, unknown>) => validateObject(body).map(renderFieldError);
  const never = (spec: Record<string, unknown>) => jobBody('v', { restartPolicy: 'Never' }, spec);

  it('podFailurePolicy rules: count, action, exactly one requirement, exit code values, container names, conditions', () => {
    const exit = (onExitCodes: Record<string, unknown>, action = 'FailJob') => never({ podFailurePolicy: { rules: [{ action, onExitCodes }] } });
    assert.deepEqual(messages(exit({ operator: 'In', values: [0, 3, 3, 1] })), [
      'spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Duplicate value: 3',
      'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{0, 3, 3, 1}: must be ordered',
    ]);
    assert.deepEqual(messages(exit({ operator: 'NotIn', values: [0] })), [], '0 is fine with NotIn');
    assert.deepEqual(messages(exit({ operator: 'Is', values: [], containerName: 'other' })), [
      'spec.podFailurePolicy.rules[0].onExitCodes.operator: Unsupported value: "Is": supported values: "In", "NotIn"',
      'spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "other": must be one of the container or initContainer names in the pod template',
      'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{}: at least one value is required',
    ]);
    assert.deepEqual(messages(exit({ operator: 'In', values: Array.from({ length: 256 }, (_, i) => i + 1) })), ['spec.podFailurePolicy.rules[0].onExitCodes.values: Too many: 256: must have at most 255 items']);
    assert.deepEqual(messages(exit({ operator: 'In', values: [1] }, 'Retry')), ['spec.podFailurePolicy.rules[0].action: Unsupported value: "Retry": supported values: "Count", "FailIndex", "FailJob", "Ignore"']);
    assert.deepEqual(messages(exit({ operator: 'In', values: [1] }, 'FailIndex')), ['spec.podFailurePolicy.rules[0].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set']);
    assert.deepEqual(messages(never({ podFailurePolicy: { rules: [{ action: 'Ignore' }] } })), ['spec.podFailurePolicy.rules[0]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required']);
    assert.deepEqual(messages(never({ podFailurePolicy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [1] }, onPodConditions: [{ type: 'DisruptionTarget' }] }] } })),
      ['spec.podFailurePolicy.rules[0]: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported']);
    assert.deepEqual(messages(never({ podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'Maybe' }] }] } })),
      ['spec.podFailurePolicy.rules[0].onPodConditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"']);
    const rules = Array.from({ length: 21 }, () => ({ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }));
    assert.deepEqual(messages(never({ podFailurePolicy: { rules } })), ['spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items']);
  });

  it('a pod failure policy needs restartPolicy Never and podReplacementPolicy Failed; Indexed limits and backoffLimitPerIndex', () => {
    const policy = { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] };
    assert.deepEqual(messages(jobBody('v', { restartPolicy: 'OnFailure' }, { podFailurePolicy: policy, podReplacementPolicy: 'TerminatingOrFailed' })), [
      'spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: "Failed"',
      'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
    ]);
    assert.deepEqual(messages(never({ backoffLimitPerIndex: 1, maxFailedIndexes: 2 })), [
      'spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode',
      'spec.maxFailedIndexes: Invalid value: 2: requires indexed completion mode',
    ]);
    assert.deepEqual(messages(never({ completionMode: 'Indexed', completions: 2, parallelism: 100_001, maxFailedIndexes: 3 })), [
      'spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified',
      'spec.parallelism: Invalid value: 100001: must be less than or equal to 100000 when completion mode is Indexed',
      'spec.maxFailedIndexes: Invalid value: 3: must be less than or equal to completions',
    ]);
    const long = { ...never({ completionMode: 'Indexed', completions: 10 }), metadata: { name: 'x'.repeat(62) } };
    assert.deepEqual(messages(long), [`metadata.name: Invalid value: "${'x'.repeat(62)}": will not able to create pod with invalid DNS label: ${'x'.repeat(62)}-9`]);
  });

  it('the API server refuses them with 422 and field causes, and keeps completionMode, podFailurePolicy and backoffLimitPerIndex immutable', () => {
    const cluster = startCluster();
    const bad = create(cluster, jobBody('p', { restartPolicy: 'Never' }, { podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [0] } }] } }));
    assert.equal(bad.code, 422);
    assert.equal(message(bad), 'Job.batch "p" is invalid: spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator');
    const tooMany = create(cluster, jobBody('q', { restartPolicy: 'Never' }, { podFailurePolicy: { rules: Array.from({ length: 21 }, () => ({ action: 'Count', onPodConditions: [{ type: 'DisruptionTarget' }] })) } }));
    assert.deepEqual((tooMany.body as { details?: { causes?: unknown[] } }).details?.causes, [{ reason: 'FieldValueTooMany', message: 'Too many: 21: must have at most 20 items', field: 'spec.podFailurePolicy.rules' }]);
    const ok = create(cluster, jobBody('r', { restartPolicy: 'Never' }, { completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimitPerIndex: 1, podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] } }));
    assert.equal(ok.code, 201, message(ok));
    const job = ok.body as Job;
    assert.equal(job.spec.podReplacementPolicy, 'Failed');
    assert.equal(job.spec.backoffLimit, 2147483647);
    assert.deepEqual(job.spec.podFailurePolicy, { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] }, 'a pattern\'s status defaults to True');
    const patch = (body: unknown) => call(cluster, { verb: 'patch', apiVersion: 'batch/v1', resource: 'jobs', namespace: 'default', name: 'r', patchType: 'application/merge-patch+json', body });
    assert.match(message(patch({ spec: { completionMode: 'NonIndexed', backoffLimitPerIndex: null } })), /spec\.completionMode: Invalid value: "NonIndexed": field is immutable/);
    assert.match(message(patch({ spec: { backoffLimitPerIndex: 2 } })), /^Job\.batch "r" is invalid: spec\.backoffLimitPerIndex: Invalid value: 2: field is immutable$/);
    assert.match(message(patch({ spec: { podFailurePolicy: { rules: [{ action: 'Count', onPodConditions: [{ type: 'DisruptionTarget' }] }] } } })), /spec\.podFailurePolicy: Invalid value: .*: field is immutable/);
    assert.match(message(patch({ spec: { completions: 5 } })), /spec\.completions: Invalid value: 5: can only be modified in tandem with spec\.parallelism/);
    assert.equal(patch({ spec: { completions: 5, parallelism: 5 } }).code, 200, 'elastic Indexed Job');
  });
});
