/**
 * The real kubectl (1.32, /usr/bin/kubectl) against `k8s-lab serve`: every command the lab promises,
 * checking the shape of what kubectl prints (columns, names, exit codes).
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, header, k8sLab, kubectl, rows, startLab, type Lab } from './lab-serve';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: nginx
    image: nginx:1.27
`;

const DEPLOYMENT = (replicas: number, image = 'nginx:1.26') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  labels: {app: shop}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      containers:
      - name: nginx
        image: ${image}
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata: {name: shop}
spec:
  selector: {app: shop}
  ports: [{port: 80, targetPort: 80}]
`;

describe('kubectl against k8s-lab serve', function () {
  this.timeout(120_000);
  let lab: Lab;
  const file = (name: string, text: string) => {
    const path = join(lab.dir, name);
    writeFileSync(path, text);
    return path;
  };
  const k = (...args: string[]) => kubectl(lab, args);

  before(async () => {
    lab = await startLab(['--speed', '50']);
  });

  after(async () => {
    await lab?.stop();
  });

  describe('cluster information', () => {
    it('version shows client and server versions', async () => {
      const r = await k('version');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Server Version: v1\.32\.\d+/);
    });

    it('cluster-info names the control plane URL', async () => {
      const r = await k('cluster-info');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Kubernetes control plane is running at https:\/\/127\.0\.0\.1:\d+/);
    });

    it('api-resources lists the served resources with short names and groups', async () => {
      const r = await k('api-resources');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(header(r.stdout), ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
      const table = rows(r.stdout).map((c) => c.join(' '));
      for (const line of ['pods po v1 true Pod', 'secrets v1 true Secret', 'nodes no v1 false Node', 'deployments deploy apps/v1 true Deployment', 'cronjobs cj batch/v1 true CronJob', 'leases coordination.k8s.io/v1 true Lease']) {
        assert.ok(table.includes(line), `missing "${line}" in\n${r.stdout}`);
      }
    });
  });

  describe('explain', () => {
    it('explains a field and a nested list as against a real API server', async () => {
      const image = await k('explain', 'pod.spec.containers.image');
      assert.equal(image.code, 0, image.stderr);
      assert.match(image.stdout, /FIELD: image <string>/);
      assert.match(image.stdout, /Container image name\./);
      const ports = await k('explain', 'service.spec.ports');
      assert.equal(ports.code, 0, ports.stderr);
      assert.match(ports.stdout, /FIELD: ports <\[\]ServicePort>/);
      const spec = await k('explain', 'deployment.spec');
      assert.equal(spec.code, 0, spec.stderr);
      assert.match(spec.stdout, /^ {2}replicas\t<integer>$/m);
      assert.match(spec.stdout, /^ {2}template\t<PodTemplateSpec> -required-$/m);
      // Fields of another type have their own description too (the API server's allOf), not <no description>.
      assert.match(spec.stdout, /^ {2}selector\t<LabelSelector> -required-\n {4}Label selector for pods\./m);
      const podSpec = await k('explain', 'pod.spec');
      assert.match(podSpec.stdout, /^ {2}affinity\t<Affinity>\n {4}If specified, the pod's scheduling constraints$/m);
    });
  });

  describe('get', () => {
    it('nodes: 3 control-plane and 3 workers, Ready', async () => {
      const r = await k('get', 'nodes');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(header(r.stdout), ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
      const table = rows(r.stdout);
      assert.equal(table.length, 6);
      assert.deepEqual(table.map((c) => c[0]), ['master-1', 'master-2', 'master-3', 'worker-1', 'worker-2', 'worker-3']);
      assert.deepEqual(table.filter((c) => c[2] === 'control-plane').length, 3);
      for (const c of table) assert.equal(c[1], 'Ready');
    });

    it('nodes -o wide adds addresses and node info', async () => {
      const r = await k('get', 'nodes', '-o', 'wide');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(header(r.stdout), ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
      assert.match(rows(r.stdout)[0][5], /^\d+\.\d+\.\d+\.\d+$/);
    });

    it('namespaces', async () => {
      const r = await k('get', 'namespaces');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(header(r.stdout), ['NAME', 'STATUS', 'AGE']);
      assert.deepEqual(rows(r.stdout).map((c) => c[0]).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    });

    it('node leases in kube-node-lease, held by their nodes', async () => {
      const r = await k('get', 'leases', '-n', 'kube-node-lease');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(header(r.stdout), ['NAME', 'HOLDER', 'AGE']);
      for (const c of rows(r.stdout)) assert.equal(c[0], c[1]);
    });

    it('leader-election leases in kube-system', async () => {
      const ok = await eventually(async () => (await k('get', 'leases', '-n', 'kube-system')).stdout.includes('kube-controller-manager'), 20_000);
      assert.ok(ok, 'the kube-controller-manager lease appears');
    });

    it('an unknown pod is NotFound, exit 1', async () => {
      const r = await k('get', 'pod', 'nope');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Error from server \(NotFound\): pods "nope" not found/);
    });
  });

  describe('pods', () => {
    it('apply -f creates, re-apply with a change configures', async () => {
      let r = await k('apply', '-f', file('pod.yaml', POD));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'pod/web created');
      r = await k('apply', '-f', file('pod.yaml', POD.replace('app: web}', 'app: web, tier: front}')));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'pod/web configured');
      r = await k('apply', '-f', file('pod.yaml', POD.replace('app: web}', 'app: web, tier: front}')));
      assert.equal(r.stdout.trim(), 'pod/web unchanged');
    });

    it('get pods prints the upstream columns; -o wide adds IP and NODE', async () => {
      let r = await k('get', 'pods');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(header(r.stdout), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
      assert.match(rows(r.stdout).find((c) => c[0] === 'web')?.[1] ?? '', /^[01]\/1$/);
      r = await k('get', 'pods', '-o', 'wide');
      assert.deepEqual(header(r.stdout), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    });

    it('the pod is scheduled on a worker and reaches Running', async () => {
      const ok = await eventually(async () => (await k('get', 'pod', 'web', '-o', 'jsonpath={.status.phase}')).stdout === 'Running', 30_000);
      const node = (await k('get', 'pod', 'web', '-o', 'jsonpath={.spec.nodeName}')).stdout;
      assert.match(node, /^worker-\d$/);
      assert.ok(ok, `pod web is Running (server stderr: ${lab.stderr().slice(0, 500)})`);
    });

    it('-l selects by label, -A adds NAMESPACE, -o name/json/yaml/jsonpath', async () => {
      let r = await k('get', 'pods', '-l', 'tier=front', '-o', 'name');
      assert.equal(r.stdout.trim(), 'pod/web');
      r = await k('get', 'pods', '-l', 'tier=back');
      assert.match(r.stderr, /No resources found in default namespace\./);
      r = await k('get', 'pods', '-A');
      assert.deepEqual(header(r.stdout).slice(0, 2), ['NAMESPACE', 'NAME']);
      r = await k('get', 'pod', 'web', '-o', 'json');
      const pod = JSON.parse(r.stdout) as { kind: string; spec: { restartPolicy: string } };
      assert.equal(pod.kind, 'Pod');
      assert.equal(pod.spec.restartPolicy, 'Always', 'admission defaults are visible');
      r = await k('get', 'pod', 'web', '-o', 'yaml');
      assert.match(r.stdout, /^apiVersion: v1\nkind: Pod\n/);
      r = await k('get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}');
      assert.equal(r.stdout, 'web');
    });

    it('label and annotate', async () => {
      let r = await k('label', 'pod', 'web', 'env=lab');
      assert.equal(r.stdout.trim(), 'pod/web labeled');
      r = await k('annotate', 'pod', 'web', 'note=hello');
      assert.equal(r.stdout.trim(), 'pod/web annotated');
      r = await k('get', 'pod', 'web', '-o', 'jsonpath={.metadata.labels.env}/{.metadata.annotations.note}');
      assert.equal(r.stdout, 'lab/hello');
    });

    it('describe pod shows the kubectl describe layout and events', async () => {
      const r = await k('describe', 'pod', 'web');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Name:\s+web$/m);
      assert.match(r.stdout, /^Namespace:\s+default$/m);
      assert.match(r.stdout, /^Containers:$/m);
      assert.match(r.stdout, /Successfully assigned default\/web to worker-\d/);
    });

    it('logs prints the container output; -c names the container', async () => {
      const r = await k('logs', 'web', '-c', 'nginx');
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.length > 0, 'nginx writes start-up lines');
      const bad = await k('logs', 'web', '-c', 'nope');
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /container nope is not valid for pod web|container "nope"/);
    });

    it('logs -f streams until interrupted', async () => {
      const child = spawn('/usr/bin/kubectl', ['logs', '-f', 'web'], { env: { ...process.env, KUBECONFIG: lab.kubeconfig, HOME: lab.dir } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(child.exitCode, null, 'still following');
      child.kill('SIGINT');
      assert.ok(out.length > 0);
    });

    it('edit with EDITOR set to a script changes the live object', async () => {
      const editor = file('editor.sh', '#!/bin/sh\nsed -i "s/note: hello/note: edited/" "$1"\n');
      chmodSync(editor, 0o755);
      const r = await kubectl(lab, ['edit', 'pod', 'web'], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'pod/web edited');
      const note = await k('get', 'pod', 'web', '-o', 'jsonpath={.metadata.annotations.note}');
      assert.equal(note.stdout, 'edited');
    });

    it('get -w prints changes as they happen', async () => {
      const child = spawn('/usr/bin/kubectl', ['get', 'pods', '-w'], { env: { ...process.env, KUBECONFIG: lab.kubeconfig, HOME: lab.dir } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await eventually(async () => out.includes('web'), 10_000, 100);
      await k('label', 'pod', 'web', 'watched=yes');
      await k('run', 'watched', '--image=busybox:1.36', '--restart=Never', '--', 'sleep', '3600');
      const seen = await eventually(async () => out.includes('watched'), 15_000, 100);
      child.kill('SIGINT');
      assert.ok(seen, `the new pod appears in the watch:\n${out}`);
      assert.equal(out.split('\n').filter((l) => l.startsWith('NAME')).length, 1, 'one header');
    });

    it('delete --grace-period removes the pod', async () => {
      const r = await k('delete', 'pod', 'watched', '--grace-period=1');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'pod "watched" deleted');
      const gone = await k('get', 'pod', 'watched');
      assert.equal(gone.code, 1);
    });
  });

  describe('validation and errors', () => {
    it('create -f of an existing object is AlreadyExists', async () => {
      const cm = file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: "1"}\n');
      let r = await k('create', '-f', cm);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'configmap/settings created');
      r = await k('create', '-f', cm);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /configmaps "settings" already exists/);
    });

    it('an invalid pod is refused with the API server message', async () => {
      const r = await k('apply', '-f', file('bad.yaml', POD.replace('name: web', 'name: Bad_Name')));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /is invalid/);
    });
  });

  describe('deployments', () => {
    it('apply, rollout status, scale', async () => {
      let r = await k('apply', '-f', file('deploy.yaml', DEPLOYMENT(2)));
      assert.equal(r.stdout.trim(), 'deployment.apps/shop created');
      r = await kubectl(lab, ['rollout', 'status', 'deployment/shop', '--timeout=60s'], { timeoutMs: 70_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /deployment "shop" successfully rolled out/);
      r = await k('get', 'deployments');
      assert.deepEqual(header(r.stdout), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
      assert.deepEqual(rows(r.stdout)[0].slice(0, 4), ['shop', '2/2', '2', '2']);
      r = await k('scale', 'deployment', 'shop', '--replicas=3');
      assert.equal(r.stdout.trim(), 'deployment.apps/shop scaled');
      const scaled = await eventually(async () => rows((await k('get', 'rs')).stdout)[0]?.[1] === '3', 30_000);
      assert.ok(scaled);
      r = await k('get', 'rs', '-o', 'wide');
      assert.deepEqual(header(r.stdout), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    });

    it('server-side apply takes ownership and reports conflicts', async () => {
      let r = await k('apply', '--server-side', '-f', file('deploy-ssa.yaml', DEPLOYMENT(3)));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'deployment.apps/shop serverside-applied');
      r = await k('apply', '--server-side', '--field-manager=other', '-f', file('deploy-ssa2.yaml', DEPLOYMENT(5)));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Apply failed with 1 conflict: conflict with "kubectl" using apps\/v1: \.spec\.replicas/);
      r = await k('apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', file('deploy-ssa2.yaml', DEPLOYMENT(5)));
      assert.equal(r.code, 0, r.stderr);
      const replicas = await k('get', 'deploy', 'shop', '-o', 'jsonpath={.spec.replicas}');
      assert.equal(replicas.stdout, '5');
    });

    it('rollout history and undo', async () => {
      let r = await k('apply', '-f', file('deploy.yaml', DEPLOYMENT(5, 'nginx:1.27')));
      assert.equal(r.code, 0, r.stderr);
      r = await kubectl(lab, ['rollout', 'status', 'deployment/shop', '--timeout=60s'], { timeoutMs: 70_000 });
      assert.equal(r.code, 0, r.stderr);
      r = await k('rollout', 'history', 'deployment/shop');
      assert.match(r.stdout, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
      r = await k('rollout', 'undo', 'deployment/shop');
      assert.equal(r.stdout.trim(), 'deployment.apps/shop rolled back');
      const image = await eventually(async () => (await k('get', 'deploy', 'shop', '-o', 'jsonpath={.spec.template.spec.containers[0].image}')).stdout === 'nginx:1.26', 10_000);
      assert.ok(image);
    });

    it('describe deployment and service; get services and endpoints', async () => {
      let r = await k('apply', '-f', file('svc.yaml', SERVICE));
      assert.equal(r.stdout.trim(), 'service/shop created');
      r = await k('get', 'services');
      assert.deepEqual(header(r.stdout), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
      assert.ok(rows(r.stdout).some((c) => c[0] === 'shop' && c[1] === 'ClusterIP' && c[4] === '80/TCP'));
      const eps = await eventually(async () => /shop\s+\d+\.\d+\.\d+\.\d+:80/.test((await k('get', 'endpoints')).stdout), 20_000);
      assert.ok(eps, 'endpoints list the ready pods');
      r = await k('describe', 'deployment', 'shop');
      assert.match(r.stdout, /^Replicas:\s+\d+ desired/m);
      r = await k('describe', 'service', 'shop');
      assert.match(r.stdout, /^Selector:\s+app=shop$/m);
      // kubectl describe reads the Endpoints line from the Service's EndpointSlices.
      const endpointsLine = /^Endpoints:\s+\d+\.\d+\.\d+\.\d+:80(,\d+\.\d+\.\d+\.\d+:80)*( \+ \d+ more\.\.\.)?$/m;
      assert.ok(await eventually(async () => endpointsLine.test((await k('describe', 'service', 'shop')).stdout), 20_000), 'describe service lists the endpoints');
      r = await k('get', 'endpointslices', '-l', 'kubernetes.io/service-name=shop');
      assert.deepEqual(header(r.stdout), ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
      assert.ok(rows(r.stdout).some((c) => /^shop-[a-z0-9]{5}$/.test(c[0]) && c[1] === 'IPv4' && c[2] === '80' && /^\d+\.\d+\.\d+\.\d+/.test(c[3])), r.stdout);
      r = await k('get', 'events');
      assert.deepEqual(header(r.stdout), ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    });
  });

  describe('priority', () => {
    it('create priorityclass (protobuf), get priorityclasses, and a pod naming the class gets its priority', async () => {
      let r = await k('create', 'priorityclass', 'urgent', '--value=1000', '--description=jump the queue');
      assert.equal(r.stdout.trim(), 'priorityclass.scheduling.k8s.io/urgent created', r.stderr);
      r = await k('get', 'priorityclasses');
      assert.deepEqual(header(r.stdout), ['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY']);
      const table = rows(r.stdout);
      assert.deepEqual(table.find((c) => c[0] === 'urgent')?.slice(1, 3), ['1000', 'false']);
      assert.deepEqual(table.find((c) => c[0] === 'system-node-critical')?.slice(1, 3), ['2000001000', 'false']);
      assert.equal(table.find((c) => c[0] === 'urgent')?.[4], 'PreemptLowerPriority');
      const path = join(lab.dir, 'urgent-pod.yaml');
      writeFileSync(path, 'apiVersion: v1\nkind: Pod\nmetadata: {name: urgent-pod}\nspec:\n  priorityClassName: urgent\n  containers:\n  - {name: app, image: nginx:1.27}\n');
      r = await k('apply', '-f', path);
      assert.equal(r.code, 0, r.stderr);
      r = await k('get', 'pod', 'urgent-pod', '-o', 'jsonpath={.spec.priority} {.spec.preemptionPolicy}');
      assert.equal(r.stdout.trim(), '1000 PreemptLowerPriority');
      r = await k('create', 'priorityclass', 'too-big', '--value=2000000001');
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /value: Forbidden: maximum allowed value of a user defined priority is 1000000000/);
      await k('delete', 'pod', 'urgent-pod', '--wait=false');
      await k('delete', 'priorityclass', 'urgent');
    });
  });

  describe('nodes', () => {
    it('cordon, uncordon, describe node', async () => {
      let r = await k('cordon', 'worker-3');
      assert.equal(r.stdout.trim(), 'node/worker-3 cordoned');
      r = await k('get', 'node', 'worker-3');
      assert.equal(rows(r.stdout)[0][1], 'Ready,SchedulingDisabled');
      r = await k('uncordon', 'worker-3');
      assert.equal(r.stdout.trim(), 'node/worker-3 uncordoned');
      r = await k('describe', 'node', 'worker-3');
      assert.match(r.stdout, /^Name:\s+worker-3$/m);
      assert.match(r.stdout, /topology\.kubernetes\.io\/zone=us-east-2/);
    });

    it('create pdb (protobuf); drain waits on the budget and gives up at its timeout', async () => {
      let r = await k('create', 'pdb', 'shop', '--selector=app=shop', '--min-available=100%');
      assert.equal(r.stdout.trim(), 'poddisruptionbudget.policy/shop created', r.stderr);
      assert.ok(await eventually(async () => {
        const row = rows((await k('get', 'pdb', 'shop')).stdout)[0];
        return row?.[1] === '100%' && row[2] === 'N/A' && row[3] === '0';
      }, 20_000), 'the budget allows no disruption');
      const node = (await k('get', 'pods', '-l', 'app=shop', '-o', 'jsonpath={.items[0].spec.nodeName}')).stdout.trim();
      r = await kubectl(lab, ['drain', node, '--ignore-daemonsets', '--force', '--timeout=7s'], { timeoutMs: 30_000 });
      assert.notEqual(r.code, 0);
      assert.match(r.stdout + r.stderr, /Cannot evict pod as it would violate the pod's disruption budget\./);
      await k('delete', 'pdb', 'shop');
      await k('uncordon', node);
    });

    it('drain --ignore-daemonsets evicts the workload pods', async () => {
      const r = await kubectl(lab, ['drain', 'worker-1', '--ignore-daemonsets', '--force', '--timeout=60s'], { timeoutMs: 70_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /node\/worker-1 drained/);
      // kubectl found pods/eviction in discovery and evicted each pod (it deletes only when eviction is unsupported).
      assert.match(r.stdout + r.stderr, /evicting pod default\//);
      assert.match(r.stdout, /pod\/\S+ evicted/);
      const left = await k('get', 'pods', '-A', '--field-selector', 'spec.nodeName=worker-1', '-o', 'name');
      assert.equal(left.stdout.trim(), '');
      await k('uncordon', 'worker-1');
    });

    it('delete deployment cascades to its ReplicaSets and pods', async () => {
      const r = await k('delete', 'deployment', 'shop');
      assert.equal(r.stdout.trim(), 'deployment.apps "shop" deleted');
      const gone = await eventually(async () => (await k('get', 'rs,pods', '-l', 'app=shop', '-o', 'name')).stdout.trim() === '', 30_000);
      assert.ok(gone);
    });
  });

  describe('imperative create (typed clients: protobuf bodies)', () => {
    it('create namespace, configmap, deployment and service clusterip|nodeport, as kubectl encodes them', async () => {
      for (const args of [
        ['create', 'namespace', 'team-a'],
        ['create', 'configmap', 'settings', '-n', 'team-a', '--from-literal=mode=fast', '--from-literal=level=3'],
        ['create', 'deployment', 'hello', '-n', 'team-a', '--image=nginx:1.27', '--replicas=2', '--port=80'],
        ['create', 'service', 'clusterip', 'hello', '-n', 'team-a', '--tcp=80:80'],
        ['create', 'service', 'nodeport', 'hello-np', '-n', 'team-a', '--tcp=80:80'],
      ]) {
        const r = await k(...args);
        assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stdout, / created\n$/);
      }
      const cm = JSON.parse((await k('get', 'configmap', 'settings', '-n', 'team-a', '-o', 'json')).stdout);
      assert.deepEqual(cm.data, { mode: 'fast', level: '3' });
      const ready = await eventually(async () => (await k('get', 'deployment', 'hello', '-n', 'team-a', '-o', 'jsonpath={.status.readyReplicas}')).stdout === '2', 60_000);
      assert.ok(ready, 'the created Deployment never had 2 ready replicas');
      const deployment = JSON.parse((await k('get', 'deployment', 'hello', '-n', 'team-a', '-o', 'json')).stdout);
      assert.deepEqual(deployment.spec.template.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP' }]);
      const service = JSON.parse((await k('get', 'service', 'hello', '-n', 'team-a', '-o', 'json')).stdout);
      assert.deepEqual(service.spec.selector, { app: 'hello' });
      assert.equal(service.spec.ports[0].targetPort, 80);
      const nodePort = await k('get', 'service', 'hello-np', '-n', 'team-a');
      assert.match(rows(nodePort.stdout)[0].join(' '), /^hello-np NodePort 10\.96\.\d+\.\d+ <none> 80:3\d{4}\/TCP /);
      const endpoints = await eventually(async () => (await k('get', 'endpoints', 'hello', '-n', 'team-a', '-o', 'jsonpath={.subsets[0].addresses[*].ip}')).stdout.split(' ').filter(Boolean).length === 2, 30_000);
      assert.ok(endpoints, 'the Service never had 2 endpoints');
    });

    it('create secret generic|tls|docker-registry; get and describe secrets; a pod reads the Secret into its environment', async () => {
      const key = join(lab.dir, 'tls.key');
      const crt = join(lab.dir, 'tls.crt');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=lab.local'], { stdio: 'ignore' });
      for (const args of [
        ['create', 'secret', 'generic', 'db', '--from-literal=password=s3cr3t', '--from-literal=user=admin'],
        ['create', 'secret', 'tls', 'site', `--cert=${crt}`, `--key=${key}`],
        ['create', 'secret', 'docker-registry', 'registry', '--docker-server=registry.local', '--docker-username=u', '--docker-password=p'],
      ]) {
        const r = await k(...args);
        assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stdout, /^secret\/\S+ created\n$/);
      }
      const list = await k('get', 'secrets');
      assert.deepEqual(header(list.stdout), ['NAME', 'TYPE', 'DATA', 'AGE']);
      assert.deepEqual(rows(list.stdout).map((c) => c.slice(0, 3).join(' ')), ['db Opaque 2', 'registry kubernetes.io/dockerconfigjson 1', 'site kubernetes.io/tls 2']);
      const yaml = await k('get', 'secret', 'db', '-o', 'yaml');
      assert.match(yaml.stdout, /password: czNjcjN0\n/);
      const described = await k('describe', 'secret', 'db');
      assert.match(described.stdout, /Type:\s+Opaque/);
      assert.match(described.stdout, /password:\s+6 bytes/);
      assert.doesNotMatch(described.stdout, /s3cr3t/);
      const bad = await k('create', 'secret', 'tls', 'half', '--cert', crt, '--key', crt);
      assert.equal(bad.code, 1, 'kubectl checks the key pair itself');
      const pod = await k('apply', '-f', file('secret-pod.yaml', `apiVersion: v1
kind: Pod
metadata: {name: reader}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox:1.36
    command: ["sh", "-c", "echo password=$PASSWORD"]
    env:
    - name: PASSWORD
      valueFrom: {secretKeyRef: {name: db, key: password}}
`));
      assert.equal(pod.code, 0, pod.stderr);
      const done = await eventually(async () => (await k('get', 'pod', 'reader', '-o', 'jsonpath={.status.phase}')).stdout === 'Succeeded', 60_000);
      assert.ok(done, 'the pod never succeeded');
      const logs = await k('logs', 'reader');
      assert.equal(logs.stdout, 'password=s3cr3t\n');
    });
  });

  describe('jobs', () => {
    it('create job (protobuf), wait for condition=complete, get jobs, logs job/NAME, delete cascades', async () => {
      let r = await k('create', 'job', 'hello', '--image=busybox:1.36', '--', 'sh', '-c', 'echo hi; sleep 2');
      assert.equal(r.stdout.trim(), 'job.batch/hello created', r.stderr);
      r = await kubectl(lab, ['wait', '--for=condition=complete', 'job/hello', '--timeout=60s'], { timeoutMs: 70_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'job.batch/hello condition met');
      r = await k('get', 'jobs');
      assert.deepEqual(r.stdout.split('\n')[0].split(/\s+/).filter(Boolean), ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
      const row = rows(r.stdout).find((cells) => cells[0] === 'hello')!;
      assert.deepEqual(row.slice(0, 3), ['hello', 'Complete', '1/1']);
      assert.match(row[3], /^\d+s$/);
      r = await k('get', 'jobs', 'hello', '-o', 'wide');
      assert.match(rows(r.stdout)[0].join(' '), /^hello Complete 1\/1 \d+s \S+ hello busybox:1\.36 batch\.kubernetes\.io\/controller-uid=[0-9a-f-]{36}$/);
      r = await k('logs', 'job/hello');
      assert.equal(r.stdout, 'hi\n', r.stderr);
      r = await k('describe', 'job', 'hello');
      assert.match(r.stdout, /^Pods Statuses:\s+0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed$/m);
      r = await k('delete', 'job', 'hello');
      assert.equal(r.stdout.trim(), 'job.batch "hello" deleted');
      const gone = await eventually(async () => (await k('get', 'pods', '-l', 'job-name=hello', '-o', 'name')).stdout.trim() === '', 30_000);
      assert.ok(gone, 'the Job\'s pod was not deleted with it');
    });

    it('an Indexed Job with ttlSecondsAfterFinished: get job shows its completions, describe its indexes, then it is deleted after its TTL', async () => {
      const JOB = `apiVersion: batch/v1
kind: Job
metadata: {name: shards}
spec:
  completionMode: Indexed
  completions: 3
  parallelism: 3
  ttlSecondsAfterFinished: 300
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: "busybox:1.36", command: ["sh", "-c", "echo shard $JOB_COMPLETION_INDEX on $(hostname); sleep 2"]}
`;
      let r = await k('apply', '-f', file('indexed.yaml', JOB));
      assert.equal(r.stdout.trim(), 'job.batch/shards created', r.stderr);
      r = await kubectl(lab, ['wait', '--for=condition=complete', 'job/shards', '--timeout=60s'], { timeoutMs: 70_000 });
      assert.equal(r.code, 0, r.stderr);
      r = await k('get', 'job', 'shards');
      assert.deepEqual(rows(r.stdout)[0].slice(0, 3), ['shards', 'Complete', '3/3']);
      r = await k('describe', 'job', 'shards');
      assert.match(r.stdout, /^Completion Mode:\s+Indexed$/m);
      assert.match(r.stdout, /^TTL Seconds After Finished:\s+300$/m);
      assert.match(r.stdout, /^Completed Indexes:\s+0-2$/m);
      r = await k('get', 'pods', '-l', 'batch.kubernetes.io/job-completion-index=1', '-o', 'name');
      const pod = r.stdout.trim().replace('pod/', '');
      assert.match(pod, /^shards-1-[a-z0-9]{5}$/);
      r = await k('logs', pod);
      assert.equal(r.stdout, 'shard 1 on shards-1\n', r.stderr);
      // At speed 50 the 300 s TTL passes in 6 s of real time (time enough for the checks above); then the Job and its pods go.
      const gone = await eventually(async () => (await k('get', 'jobs', '-o', 'name')).stdout.split('\n').every((n) => n !== 'job.batch/shards'), 30_000);
      assert.ok(gone, 'the Job was not deleted after its TTL');
      const podsGone = await eventually(async () => (await k('get', 'pods', '-l', 'job-name=shards', '-o', 'name')).stdout.trim() === '', 30_000);
      assert.ok(podsGone, 'the Job\'s pods were not deleted with it');
    });
  });

  describe('cronjobs', () => {
    it('create cronjob (protobuf) makes a Job each minute; get cronjobs columns; create job --from=cronjob; describe; delete cascades', async () => {
      let r = await k('create', 'cronjob', 'tick', '--image=busybox:1.36', '--schedule=*/1 * * * *', '--', 'echo', 'hi');
      assert.equal(r.stdout.trim(), 'cronjob.batch/tick created', r.stderr);
      const jobNames = async () => (await k('get', 'jobs', '-o', 'name')).stdout.split('\n').filter(Boolean).map((n) => n.replace('job.batch/', ''));
      // Speed 50: a minute of the lab's clock is 1.2 s.
      const appeared = await eventually(async () => (await jobNames()).some((n) => /^tick-\d+$/.test(n)), 30_000);
      assert.ok(appeared, 'no Job from the CronJob');
      const name = (await jobNames()).find((n) => /^tick-\d+$/.test(n))!;
      r = await k('get', 'job', name, '-o', 'jsonpath={.metadata.annotations.batch\\.kubernetes\\.io/cronjob-scheduled-timestamp}');
      assert.equal(r.stdout, new Date(Number(name.split('-')[1]) * 60_000).toISOString().replace('.000Z', 'Z'));
      r = await k('get', 'cronjobs');
      assert.deepEqual(r.stdout.split('\n')[0].split(/\s+/).filter(Boolean), ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST', 'SCHEDULE', 'AGE']);
      assert.match(r.stdout.split('\n')[1], /^tick\s+\*\/1 \* \* \* \*\s+<none>\s+False\s+\d+\s+\d+s\s+\d+s$/);
      r = await k('get', 'cj', 'tick', '-o', 'wide');
      assert.match(r.stdout.split('\n')[0], /\sCONTAINERS\s+IMAGES\s+SELECTOR$/);
      assert.match(r.stdout.split('\n')[1], /\stick\s+busybox:1\.36\s+<none>$/);
      r = await k('create', 'job', 'by-hand', '--from=cronjob/tick');
      assert.equal(r.stdout.trim(), 'job.batch/by-hand created', r.stderr);
      r = await k('get', 'job', 'by-hand', '-o', 'jsonpath={.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate} {.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}');
      assert.equal(r.stdout, 'manual CronJob/tick');
      r = await kubectl(lab, ['wait', '--for=condition=complete', 'job/by-hand', '--timeout=60s'], { timeoutMs: 70_000 });
      assert.equal(r.code, 0, r.stderr);
      r = await k('logs', 'job/by-hand');
      assert.equal(r.stdout, 'hi\n', r.stderr);
      r = await k('describe', 'cronjob', 'tick');
      assert.match(r.stdout, /^Schedule:\s+\*\/1 \* \* \* \*$/m);
      assert.match(r.stdout, /^Concurrency Policy:\s+Allow$/m);
      assert.match(r.stdout, /SuccessfulCreate\s+.*Created job tick-\d+/);
      r = await k('delete', 'cronjob', 'tick');
      assert.equal(r.stdout.trim(), 'cronjob.batch "tick" deleted');
      const gone = await eventually(async () => (await jobNames()).every((n) => !/^tick-\d+$/.test(n) && n !== 'by-hand'), 30_000);
      assert.ok(gone, 'the CronJob\'s Jobs were not deleted with it');
    });
  });

  describe('daemonsets', () => {
    const DAEMONSET = (image: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - name: agent
        image: ${image}
`;

    it('apply, rollout status, get ds columns, describe, rollout history and undo, drain --ignore-daemonsets keeps the daemon pods', async () => {
      let r = await k('apply', '-f', file('ds.yaml', DAEMONSET('nginx:1.26')));
      assert.equal(r.stdout.trim(), 'daemonset.apps/agent created', r.stderr);
      r = await kubectl(lab, ['rollout', 'status', 'daemonset/agent', '--timeout=60s'], { timeoutMs: 70_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /daemon set "agent" successfully rolled out/);
      r = await k('get', 'ds');
      assert.deepEqual(header(r.stdout), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
      assert.deepEqual(rows(r.stdout).find((c) => c[0] === 'agent')?.slice(0, 7), ['agent', '3', '3', '3', '3', '3', '<none>']);
      r = await k('get', 'daemonset', 'agent', '-o', 'wide');
      assert.match(rows(r.stdout)[0].join(' '), /^agent 3 3 3 3 3 <none> \S+ agent nginx:1\.26 app=agent$/);
      r = await k('describe', 'ds', 'agent');
      assert.match(r.stdout, /^Desired Number of Nodes Scheduled: 3$/m);
      assert.match(r.stdout, /^Pods Status:\s+3 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
      r = await k('apply', '-f', file('ds.yaml', DAEMONSET('nginx:1.27')));
      assert.equal(r.stdout.trim(), 'daemonset.apps/agent configured', r.stderr);
      r = await kubectl(lab, ['rollout', 'status', 'daemonset/agent', '--timeout=90s'], { timeoutMs: 100_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /daemon set "agent" successfully rolled out/);
      r = await k('rollout', 'history', 'daemonset/agent');
      assert.match(r.stdout, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
      r = await k('get', 'controllerrevisions');
      assert.deepEqual(header(r.stdout), ['NAME', 'CONTROLLER', 'REVISION', 'AGE']);
      assert.ok(rows(r.stdout).some((c) => /^agent-[a-z0-9]+$/.test(c[0]) && c[1] === 'daemonset.apps/agent' && c[2] === '2'), r.stdout);
      r = await k('rollout', 'undo', 'daemonset/agent');
      assert.equal(r.stdout.trim(), 'daemonset.apps/agent rolled back', r.stderr);
      r = await kubectl(lab, ['rollout', 'status', 'daemonset/agent', '--timeout=90s'], { timeoutMs: 100_000 });
      assert.equal(r.code, 0, r.stderr);
      r = await k('get', 'ds', 'agent', '-o', 'jsonpath={.spec.template.spec.containers[0].image}');
      assert.equal(r.stdout, 'nginx:1.26');
      // drain: the daemon pod stays (kubectl tells it by its controller reference), then uncordon.
      r = await kubectl(lab, ['drain', 'worker-3', '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=90s'], { timeoutMs: 100_000 });
      assert.equal(r.code, 0, r.stderr);
      // kubectl joins its warnings on one line ("Warning: deleting Pods that declare no controller: …; ignoring
      // DaemonSet-managed Pods: …") when the node also runs bare pods from the tests before this one.
      assert.match(r.stderr + r.stdout, /Warning: (.*; )?ignoring DaemonSet-managed Pods: default\/agent-[a-z0-9]{5}/);
      r = await k('get', 'pods', '-l', 'app=agent', '--field-selector', 'spec.nodeName=worker-3', '-o', 'name');
      assert.match(r.stdout.trim(), /^pod\/agent-[a-z0-9]{5}$/);
      r = await k('uncordon', 'worker-3');
      assert.equal(r.code, 0, r.stderr);
      r = await k('delete', 'ds', 'agent');
      assert.equal(r.stdout.trim(), 'daemonset.apps "agent" deleted');
      const gone = await eventually(async () => (await k('get', 'pods', '-l', 'app=agent', '-o', 'name')).stdout.trim() === '', 60_000);
      assert.ok(gone, 'the daemon pods were not deleted with their DaemonSet');
    });

    it('delete --cascade=orphan, then apply again: the new DaemonSet adopts the running pods and the old revision', async () => {
      const yaml = file('logger.yaml', DAEMONSET('nginx:1.26').replace(/agent/g, 'logger'));
      let r = await k('apply', '-f', yaml);
      assert.equal(r.stdout.trim(), 'daemonset.apps/logger created', r.stderr);
      r = await kubectl(lab, ['rollout', 'status', 'daemonset/logger', '--timeout=60s'], { timeoutMs: 70_000 });
      assert.equal(r.code, 0, r.stderr);
      const pods = async () => (await k('get', 'pods', '-l', 'app=logger', '-o', 'custom-columns=NAME:.metadata.name,NODE:.spec.nodeName,OWNER:.metadata.ownerReferences[0].uid')).stdout.trim();
      const names = (table: string) => rows(table).map((c) => c[0]).sort();
      const before = await pods();
      assert.equal(names(before).length, 3, before);
      const revisions = async () => rows((await k('get', 'controllerrevisions', '-o', 'custom-columns=NAME:.metadata.name,OWNER:.metadata.ownerReferences[0].uid')).stdout).filter((c) => c[0].startsWith('logger-'));
      const [revision] = await revisions();

      r = await k('delete', 'daemonset', 'logger', '--cascade=orphan');
      assert.equal(r.stdout.trim(), 'daemonset.apps "logger" deleted', r.stderr);
      const orphaned = await eventually(async () => rows(await pods()).every((c) => c[2] === '<none>') && (await revisions()).every((c) => c[1] === '<none>'), 30_000);
      assert.ok(orphaned, 'the pods and the revision lost their owner and kept running');
      assert.deepEqual(names(await pods()), names(before));

      r = await k('apply', '-f', yaml);
      assert.equal(r.stdout.trim(), 'daemonset.apps/logger created', r.stderr);
      const uid = (await k('get', 'ds', 'logger', '-o', 'jsonpath={.metadata.uid}')).stdout;
      const adopted = await eventually(async () => rows(await pods()).every((c) => c[2] === uid) && (await revisions()).every((c) => c[1] === uid), 30_000);
      assert.ok(adopted, `the new DaemonSet ${uid} did not adopt:\n${await pods()}`);
      r = await kubectl(lab, ['rollout', 'status', 'daemonset/logger', '--timeout=60s'], { timeoutMs: 70_000 });
      assert.equal(r.code, 0, r.stderr);
      await new Promise((res) => setTimeout(res, 1000)); // 50 s of virtual time: room for a second pod, if one were coming
      r = await k('get', 'pods', '-l', 'app=logger');
      assert.deepEqual(rows(r.stdout).map((c) => c[0]).sort(), names(before), 'the same pod names, no new pod');
      assert.deepEqual((await revisions()).map((c) => c[0]), [revision[0]], 'the same revision, adopted: no second one');
      r = await k('get', 'ds', 'logger', '-o', 'jsonpath={.status.updatedNumberScheduled}/{.status.numberAvailable}');
      assert.equal(r.stdout, '3/3');
      r = await k('delete', 'ds', 'logger');
      assert.equal(r.code, 0, r.stderr);
    });
  });

  describe('k8s-lab fault', () => {
    it('stops and starts a worker through the lab endpoint; the node goes NotReady and comes back', async () => {
      const fault = (...args: string[]) => k8sLab(lab, ['fault', ...args, '--kubeconfig', lab.kubeconfig]);
      const none = await fault('list');
      assert.equal(none.code, 0, none.stderr);
      assert.match(none.stdout, /No active faults\./);

      const stop = await fault('stop', 'node', 'worker-3');
      assert.equal(stop.code, 0, stop.stderr);
      const listed = await fault('list');
      assert.match(listed.stdout, /worker-3/);
      const notReady = await eventually(async () => /^worker-3\s+NotReady\b/m.test((await k('get', 'nodes')).stdout), 60_000);
      assert.ok(notReady, 'worker-3 turns NotReady after the grace period');

      const start = await fault('start', 'node', 'worker-3');
      assert.equal(start.code, 0, start.stderr);
      assert.match((await fault('list')).stdout, /No active faults\./);
      const ready = await eventually(async () => /^worker-3\s+Ready\b/m.test((await k('get', 'nodes')).stdout), 60_000);
      assert.ok(ready, 'worker-3 is Ready again');
    });

    it('refuses an unknown kind before contacting the server', async () => {
      const r = await k8sLab(lab, ['fault', 'stop', 'rack', 'r1', '--kubeconfig', lab.kubeconfig]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /unknown kind "rack"/);
    });
  });

  describe('auth and health', () => {
    it('auth can-i create pods prints yes', async () => {
      const r = await k('auth', 'can-i', 'create', 'pods');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'yes\n');
    });

    it('auth can-i --list lists everything on every resource and URL', async () => {
      const r = await k('auth', 'can-i', '--list');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(header(r.stdout), ['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs']);
      assert.deepEqual(rows(r.stdout), [['*.*', '[]', '[]', '[*]'], ['[*]', '[]', '[*]']]);
    });

    it('auth whoami prints the admin user and its groups', async () => {
      const r = await k('auth', 'whoami');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(header(r.stdout), ['ATTRIBUTE', 'VALUE']);
      assert.deepEqual(rows(r.stdout), [['Username', 'kubernetes-admin'], ['Groups', '[kubeadm:cluster-admins system:authenticated]']]);
    });

    it('get --raw /readyz?verbose lists the checks; without etcd quorum they fail and kubectl says so', async () => {
      const r = await k('get', '--raw', '/readyz?verbose');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check passed\n');
      assert.equal((await k('get', '--raw', '/livez')).stdout, 'ok');

      const fault = (...args: string[]) => k8sLab(lab, ['fault', ...args, '--kubeconfig', lab.kubeconfig]);
      for (const member of ['master-2', 'master-3']) assert.equal((await fault('stop', 'etcd', member)).code, 0);
      try {
        const failing = await eventually(async () => (await k('get', '--raw', '/readyz/etcd')).code !== 0, 30_000);
        assert.ok(failing, 'the etcd check fails once etcd has lost its quorum');
        const failed = await k('get', '--raw', '/readyz?verbose');
        assert.equal(failed.code, 1);
        assert.match(failed.stderr, /^Error from server \(InternalError\): an error on the server \("\[\+\]ping ok\\n\[\+\]log ok\\n\[-\]etcd failed: reason withheld\\n.*readyz check failed"\) has prevented the request from succeeding$/m);
      } finally {
        for (const member of ['master-2', 'master-3']) await fault('start', 'etcd', member);
      }
      assert.ok(await eventually(async () => (await k('get', '--raw', '/readyz')).stdout === 'ok', 30_000), 'ready again with quorum');
    });
  });
});
