import { strict as assert } from 'node:assert';
import type { Pod } from '../../../../src/sim/api/types';
import { endStatus, execContainer, kubeletExecUrl } from '../../../../src/sim/apiserver/exec';

const pod = (containers: string[], nodeName?: string, inits: string[] = []): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' },
  spec: { containers: containers.map((name) => ({ name, image: 'nginx' })), initContainers: inits.map((name) => ({ name, image: 'busybox' })), ...(nodeName ? { nodeName } : {}) },
});

describe('sim/apiserver/exec: pods/exec at the API server', () => {
  it('picks the container and refuses as ExecLocation does', () => {
    assert.deepEqual(execContainer(pod(['web'], 'worker-1'), undefined), { container: 'web' });
    const body = (r: ReturnType<typeof execContainer>) => ('error' in r ? (r.error.body as { message: string }).message : 'ok');
    assert.equal(body(execContainer(pod(['web'], 'worker-1'), 'nope')), 'container nope is not valid for pod web');
    assert.equal(body(execContainer(pod(['a', 'b'], 'worker-1', ['init']), undefined)), 'a container name must be specified for pod web, choose one of: [a b] or one of the init containers: [init]');
    assert.equal(body(execContainer(pod(['web']), undefined)), 'pod web does not have a host assigned');
    assert.deepEqual(execContainer(pod(['web'], 'worker-1', ['init']), 'init'), { container: 'init' });
  });

  it('dials the kubelet with the streaming parameters as url.Values encodes them', () => {
    assert.equal(
      kubeletExecUrl('10.0.0.5', 'default', 'web', 'web', { command: ['sh', '-c', 'echo hi'], stdin: true, stdout: true, stderr: false, tty: true }),
      'https://10.0.0.5:10250/exec/default/web/web?command=sh&command=-c&command=echo+hi&input=1&output=1&tty=1',
    );
  });

  it('ends with the Status the stream translator writes', () => {
    assert.deepEqual(endStatus({ exitCode: 0 }), { metadata: {}, status: 'Success' });
    assert.deepEqual(endStatus({ exitCode: 3 }), {
      metadata: {}, status: 'Failure', reason: 'NonZeroExitCode',
      message: 'command terminated with non-zero exit code: command terminated with exit code 3',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
    const internal = endStatus({ error: 'Internal error occurred: error executing command in container: boom' });
    assert.equal(internal.message, 'Internal error occurred: Internal error occurred: error executing command in container: boom');
    assert.equal(internal.reason, 'InternalError');
    assert.equal(internal.code, 500);
  });
});
