import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KUBERNETES_RELEASE } from '../../../src/manifest';
import { repoRoot } from './helpers';

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  required?: string[];
  items?: Schema;
  $ref?: string;
  description?: string;
  definitions?: Record<string, Schema>;
  'x-generated-from'?: string;
}

function load(file: string): Schema {
  return JSON.parse(readFileSync(join(repoRoot(), 'schemas', file), 'utf8')) as Schema;
}

describe('manifest: generated schemas', () => {
  const pod = load('pod.json');
  const defs = pod.definitions!;

  it('record the Kubernetes API release they follow', () => {
    assert.match(KUBERNETES_RELEASE, /^1\.\d+$/);
    assert.match(pod['x-generated-from']!, new RegExp(`Kubernetes API release ${KUBERNETES_RELEASE.replace('.', '\\.')}`));
  });

  it('are strict: every object type rejects unknown fields, maps allow any key', () => {
    for (const [name, def] of Object.entries(defs)) {
      if (def.properties) assert.equal(def.additionalProperties, false, name);
    }
    assert.deepEqual(defs.V1ObjectMeta.properties!.labels.additionalProperties, { type: 'string' });
  });

  it('keep descriptions and required markers from the official models', () => {
    assert.match(defs.V1Container.properties!.image.description!, /Container image name/);
    assert.deepEqual(defs.V1Container.required, ['name']);
    assert.deepEqual(defs.V1ContainerPort.required, ['containerPort']);
    assert.deepEqual(defs.V1ContainerPort.properties!.containerPort.type, 'integer');
  });

  it('type quantities and int-or-string fields as string or number', () => {
    assert.deepEqual((defs.V1ResourceRequirements.properties!.limits.additionalProperties as Schema).type, ['string', 'number']);
    assert.deepEqual(defs.V1EmptyDirVolumeSource.properties!.sizeLimit.type, ['string', 'number', 'null']);
    assert.deepEqual(load('service.json').definitions!.V1ServicePort.properties!.targetPort.type, ['integer', 'string', 'null']);
  });

  it('dispatch on kind in the combined schema', () => {
    const all = load('kubernetes-lab.json') as Schema & { allOf: { if: unknown; then: { $ref: string } }[] };
    assert.deepEqual(all.allOf.map((a) => a.then.$ref), ['Pod', 'Deployment', 'ReplicaSet', 'Service', 'Namespace', 'ConfigMap', 'Secret', 'Job', 'CronJob', 'DaemonSet'].map((k) => `#/definitions/${k}.root`));
  });
});
