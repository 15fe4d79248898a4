import { strict as assert } from 'node:assert';
import { familiarName, imageDigest, lookupImage, parseImageReference, pullFailureMessage, registerImage } from '../../../../src/sim/images';

describe('sim/images', () => {
  const cases: [string, string][] = [
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['library/nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['docker.io/nginx', 'docker.io/library/nginx:latest'],
    ['hashicorp/http-echo:1.0', 'docker.io/hashicorp/http-echo:1.0'],
    ['registry.k8s.io/pause:3.10', 'registry.k8s.io/pause:3.10'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
  ];
  for (const [ref, normalized] of cases) {
    it(`normalises ${ref}`, () => {
      const parsed = parseImageReference(ref);
      assert.ok(parsed.ok);
      assert.equal(parsed.reference.normalized, normalized);
    });
  }

  it('rejects malformed references like the runtime', () => {
    const upper = parseImageReference('Nginx');
    assert.ok(!upper.ok);
    assert.equal(upper.error, 'couldn\'t parse image name "Nginx": invalid reference format: repository name (library/Nginx) must be lowercase');
    assert.ok(!parseImageReference('nginx:').ok);
    assert.ok(!parseImageReference('nginx@sha256:xyz').ok);
    assert.ok(!parseImageReference(' nginx').ok);
  });

  it('finds known images and tags with sizes and stable digests', () => {
    const found = lookupImage('nginx:1.27');
    assert.equal(found.status, 'found');
    if (found.status !== 'found') return;
    assert.ok(found.tag.sizeBytes > 50_000_000 && found.tag.sizeBytes < 100_000_000);
    assert.match(found.imageRef, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    assert.equal(found.digest, imageDigest('docker.io/library/nginx', '1.27'));
    const byDigest = lookupImage(`nginx@${found.digest}`);
    assert.equal(byDigest.status, 'found');
    assert.equal(familiarName(found.reference), 'nginx:1.27');
    assert.ok(lookupImage('busybox').status === 'found');
    assert.ok(lookupImage('registry.k8s.io/pause:3.10').status === 'found');
  });

  it('shares one frozen answer per reference, and forgets answers when an image is registered', () => {
    const a = lookupImage('nginx:1.27');
    assert.equal(lookupImage('nginx:1.27'), a);
    assert.ok(Object.isFrozen(a));
    const before = lookupImage('example.com/lab/hello:1.0');
    assert.equal(before.status, 'unknown-repository');
    const nginx = lookupImage('nginx:1.27');
    if (nginx.status !== 'found') throw new Error('nginx:1.27 is built in');
    registerImage({ ...nginx.image, repository: 'example.com/lab/hello', tags: [{ ...nginx.tag, tag: '1.0' }] });
    assert.equal(lookupImage('example.com/lab/hello:1.0').status, 'found');
  });

  it('tells an unknown tag from an unknown repository, with upstream pull errors', () => {
    const tag = lookupImage('nginx:1.999');
    assert.equal(tag.status, 'unknown-tag');
    if (tag.status !== 'unknown-tag') return;
    assert.ok(tag.knownTags.includes('1.27'));
    assert.deepEqual(pullFailureMessage(tag), {
      code: 'NotFound',
      desc: 'failed to pull and unpack image "docker.io/library/nginx:1.999": failed to resolve reference "docker.io/library/nginx:1.999": docker.io/library/nginx:1.999: not found',
    });
    const repo = lookupImage('nginxx');
    assert.equal(repo.status, 'unknown-repository');
    if (repo.status !== 'unknown-repository') return;
    const why = pullFailureMessage(repo);
    assert.equal(why.code, 'Unknown');
    assert.match(why.desc, /pull access denied, repository does not exist or may require authorization/);
    const other = lookupImage('quay.io/nobody/app:v1');
    assert.equal(other.status, 'unknown-repository');
    if (other.status === 'unknown-repository') assert.equal(pullFailureMessage(other).code, 'NotFound');
  });
});
