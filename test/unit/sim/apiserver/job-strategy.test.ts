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
