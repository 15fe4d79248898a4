/**
 * The real kubectl 1.32 running `kubectl exec` against `k8s-lab serve`: over WebSockets (v5.channel.k8s.io),
 * stdout/stderr and exit codes, stdin with -i, a terminal with -it (through a pseudo-terminal: `script`),
 * the errors kubectl prints, and wget/curl from one pod to another Deployment's pods through a Service.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, KUBECTL, kubectl, startLab, type Lab, type Run } from './lab-serve';

const PODS = `apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers:
  - {name: web, image: "nginx:1.27"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: echo}
spec:
  replicas: 2
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec:
      containers:
      - {name: echo, image: "hashicorp/http-echo:1.0", args: ["-text=hello from echo"]}
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  selector: {app: echo}
  ports: [{port: 80, targetPort: 5678}]
`;

const CLIENTS = `apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers:
  - {name: client, image: "busybox:1.37", command: [sleep, "3600"]}
---
apiVersion: v1
kind: Pod
metadata: {name: curl}
spec:
  containers:
  - {name: curl, image: "curlimages/curl:8.11.0", command: [sleep, "3600"]}
`;

/** kubectl with `input` on its stdin (then end of input). */
function kubectlWithInput(lab: Lab, args: string[], input: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(KUBECTL, args, { env: { ...process.env, KUBECONFIG: lab.kubeconfig, HOME: lab.dir, KUBECACHEDIR: join(lab.dir, 'cache') } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe('kubectl exec against k8s-lab serve', function () {
  this.timeout(120_000);
  let lab: Lab;
  const k = (...args: string[]) => kubectl(lab, args);

  before(async () => {
    lab = await startLab(['--speed', '50']);
    const pods = join(lab.dir, 'pods.yaml');
    writeFileSync(pods, PODS);
    assert.equal((await k('apply', '-f', pods)).code, 0);
    assert.ok(await eventually(async () => (await k('get', 'pods', '-l', 'app=echo', '--field-selector=status.phase=Running', '-o', 'name')).stdout.trim().split('\n').length === 2, 60_000));
    // The clients come after the Service, so the kubelet gives them ECHO_SERVICE_HOST and ECHO_SERVICE_PORT.
    const clients = join(lab.dir, 'clients.yaml');
    writeFileSync(clients, CLIENTS);
    assert.equal((await k('apply', '-f', clients)).code, 0);
    for (const pod of ['web', 'client', 'curl']) {
      assert.equal((await k('wait', '--for=condition=Ready', `pod/${pod}`, '--timeout=60s')).code, 0, `${pod} ready`);
    }
  });

  after(async () => {
    await lab?.stop();
  });

  it('runs a command: stdout and stderr come back apart, exit code 0', async () => {
    const r = await k('exec', 'web', '--', 'sh', '-c', 'echo out $HOSTNAME; echo err >&2');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'out web\n');
    assert.equal(r.stderr, 'err\n');
    const env = await k('exec', 'web', '-c', 'web', '--', 'env');
    assert.match(env.stdout, /^KUBERNETES_SERVICE_HOST=10\.96\.0\.1$/m);
  });

  it('a non-zero exit code becomes kubectl\'s, with "command terminated with exit code N"', async () => {
    const r = await k('exec', 'web', '--', 'sh', '-c', 'exit 3');
    assert.equal(r.code, 3);
    assert.equal(r.stderr, 'command terminated with exit code 3\n');
    const notFound = await k('exec', 'client', '--', 'sh', '-c', 'nosuchcommand');
    assert.equal(notFound.code, 127);
    assert.equal(notFound.stderr, 'sh: nosuchcommand: not found\ncommand terminated with exit code 127\n');
  });

  it('-i sends stdin to the shell, which runs it line by line and exits at end of input', async () => {
    const r = await kubectlWithInput(lab, ['exec', '-i', 'web', '--', 'sh'], 'echo hi; hostname\nX=5\necho x=$X\nexit 7\n');
    assert.equal(r.stdout, 'hi\nweb\nx=5\n');
    assert.equal(r.code, 7, r.stderr);
    const cat = await kubectlWithInput(lab, ['exec', '-i', 'client', '--', 'cat'], 'one\ntwo\n');
    assert.equal(cat.code, 0, cat.stderr);
    assert.equal(cat.stdout, 'one\ntwo\n');
  });

  it('-it gives a terminal: prompt, echo, Ctrl-C, exit (through a real pseudo-terminal)', async function () {
    // script(1) gives kubectl a pseudo-terminal. It comes with bsdutils, an Essential Debian package, so CI always has
    // it (its runs report 0 skipped); only a machine without util-linux's tools skips this test.
    if (!existsSync('/usr/bin/script')) this.skip();
    const child = spawn('/usr/bin/script', ['-qc', `${KUBECTL} exec -it client -- sh; echo "rc=$?"`, '/dev/null'], {
      env: { ...process.env, KUBECONFIG: lab.kubeconfig, HOME: lab.dir, KUBECACHEDIR: join(lab.dir, 'cache') },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const waitFor = async (text: string) => assert.ok(await eventually(async () => out.includes(text), 15_000, 50), `never saw ${JSON.stringify(text)} in ${JSON.stringify(out)}`);
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    await waitFor('/ # ');
    child.stdin.write('echo hello $HOSTNAME\r');
    await waitFor('hello client\r\n/ # ');
    child.stdin.write('sleep 1000\r');
    await new Promise((r) => setTimeout(r, 300));
    child.stdin.write('\x03');
    await waitFor('^C\r\n/ # ');
    child.stdin.write('exit 5\r');
    await waitFor('rc=5');
    child.stdin.end();
    await closed;
    assert.match(out, /\/ # echo hello \$HOSTNAME\r\nhello client\r\n/);
    assert.match(out, /command terminated with exit code 5/);
  });

  it('errors read as kubectl prints them against a real cluster', async () => {
    const ghost = await k('exec', 'ghost', '--', 'ls');
    assert.equal(ghost.code, 1);
    assert.equal(ghost.stderr, 'Error from server (NotFound): pods "ghost" not found\n');
    const container = await k('exec', 'web', '-c', 'nope', '--', 'ls');
    assert.equal(container.code, 1);
    assert.equal(container.stderr, 'Error from server (BadRequest): container nope is not valid for pod web\n');
    const binary = await k('exec', 'client', '--', 'bash');
    assert.equal(binary.code, 1);
    assert.match(binary.stderr, /^error: Internal error occurred: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "bash": executable file not found in \$PATH: unknown\n$/);
  });

  it('a pod whose container is not running: the kubelet cannot find it', async () => {
    assert.equal((await k('run', 'broken', '--image=nginx:9.9.9')).code, 0);
    assert.ok(await eventually(async () => (await k('get', 'pod', 'broken', '-o', 'jsonpath={.spec.nodeName}')).stdout !== '', 30_000));
    const r = await k('exec', 'broken', '--', 'ls');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: Internal error occurred: unable to upgrade connection: container not found ("broken")\n');
  });

  it('wget and curl reach another Deployment\'s pods through the Service (kube-proxy), with the kubelet\'s Service variables', async () => {
    const wget = await k('exec', 'client', '--', 'sh', '-c', 'wget -qO- $ECHO_SERVICE_HOST:$ECHO_SERVICE_PORT');
    assert.equal(wget.code, 0, wget.stderr);
    assert.equal(wget.stdout, 'hello from echo\n');
    const ip = (await k('get', 'service', 'echo', '-o', 'jsonpath={.spec.clusterIP}')).stdout;
    const curl = await k('exec', 'curl', '--', 'curl', '-s', `http://${ip}/`);
    assert.equal(curl.code, 0, curl.stderr);
    assert.equal(curl.stdout, 'hello from echo\n');
    const noDns = await k('exec', 'curl', '--', 'curl', '-sS', 'http://echo/');
    assert.equal(noDns.code, 6);
    assert.equal(noDns.stderr, 'curl: (6) Could not resolve host: echo\ncommand terminated with exit code 6\n');
    const page = await k('exec', 'client', '--', 'wget', '-qO-', (await k('get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}')).stdout);
    assert.match(page.stdout, /<title>Welcome to nginx!<\/title>/);
  });

  it('SPDY is refused with a Status (kubectl falls back to it only when WebSockets are turned off)', async () => {
    const r = await kubectl(lab, ['exec', 'web', '--', 'ls'], { env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error from server \(BadRequest\): the lab serves pods\/exec over WebSockets only/);
  });
});
