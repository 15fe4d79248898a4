/**
 * The lessons: the walkthroughs in package.json agree with the checks, and each lesson's scenario, played on a
 * real simulated cluster in fast-forward, completes its steps from the cluster's real state.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { evaluate, LESSONS, QUESTIONS, STARTERS, stepContextKey } from '../../../src/lessons/catalogue';
import { emptyProgress, observeLogEntry, readLabFacts, type LessonProgress } from '../../../src/lessons/facts';
import type { KubeObject } from '../../../src/sim/api/types';
import type { Cluster } from '../../../src/sim/cluster';
import { Faults } from '../../../src/sim/faults';
import { sendToService } from '../../../src/sim/proxy';
import { applyOk, startCluster, waitFor } from '../sim/controllers/helpers';

const root = join(__dirname, '..', '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const walkthroughs: { id: string; steps: { id: string; description: string; media: Record<string, string>; completionEvents: string[] }[] }[] = pkg.contributes.walkthroughs;

function manifest(path: string): KubeObject[] {
  return parseAllDocuments(readFileSync(join(root, path), 'utf8')).map((d) => d.toJS() as KubeObject).filter((o) => o?.kind);
}

/** A lab in fast-forward with the learner's progress fed from its event log, as the editor does. */
function lab(): { cluster: Cluster; faults: Faults; progress: LessonProgress; done: (lesson: string, step: string) => boolean } {
  const cluster = startCluster();
  const faults = new Faults(cluster);
  const progress = emptyProgress();
  cluster.log.subscribe((entry) => observeLogEntry(progress, entry));
  const done = (lesson: string, step: string) => {
    const key = stepContextKey(lesson, step);
    return evaluate(readLabFacts(cluster, faults, progress)).find((r) => r.key === key)?.done ?? false;
  };
  return { cluster, faults, progress, done };
}

describe('lessons: the walkthroughs', () => {
  it('has a walkthrough per lesson, and every checked step completes on its context key', () => {
    for (const lesson of LESSONS) {
      const walkthrough = walkthroughs.find((w) => w.id === `k8sLab.lesson.${lesson.id}`);
      assert.ok(walkthrough, `no walkthrough for lesson ${lesson.id}`);
      for (const step of lesson.steps) {
        const shown: (typeof walkthroughs)[number]['steps'][number] | undefined = walkthrough.steps.find((s) => s.id === step.id);
        assert.ok(shown, `lesson ${lesson.id}: no walkthrough step ${step.id}`);
        assert.deepEqual(shown.completionEvents, [`onContext:${stepContextKey(lesson.id, step.id)}`]);
      }
    }
    assert.equal(walkthroughs.length, LESSONS.length);
  });

  it('completes every other step on a VS Code event, and every context key it waits for is one a check sets', () => {
    const keys = new Set(LESSONS.flatMap((l) => l.steps.map((s) => `onContext:${stepContextKey(l.id, s.id)}`)));
    for (const w of walkthroughs) {
      for (const step of w.steps) {
        assert.equal(step.completionEvents.length, 1, `${w.id}/${step.id}`);
        const [event] = step.completionEvents;
        assert.ok(keys.has(event) || /^on(Command|View):/.test(event), `${w.id}/${step.id}: ${event}`);
      }
    }
  });

  it('links only to commands that exist and to media that ships', () => {
    const contributed = new Set<string>(pkg.contributes.commands.map((c: { command: string }) => c.command));
    const builtIn = new Set(['k8sLab.cluster.focus', 'workbench.action.terminal.new']);
    for (const w of walkthroughs) {
      for (const step of w.steps) {
        for (const [, id] of step.description.matchAll(/\(command:([\w.-]+)/g)) assert.ok(contributed.has(id) || builtIn.has(id), `${w.id}/${step.id}: unknown command ${id}`);
        for (const event of step.completionEvents) {
          const m = /^onCommand:(.+)$/.exec(event);
          if (m) assert.ok(contributed.has(m[1]) || builtIn.has(m[1]), `${w.id}/${step.id}: unknown command ${m[1]}`);
        }
        const media = step.media.svg ?? step.media.markdown ?? step.media.image;
        assert.ok(media && existsSync(join(root, media)), `${w.id}/${step.id}: media ${media} missing`);
      }
    }
    for (const starter of STARTERS) assert.ok(existsSync(join(root, starter.source)), starter.source);
    for (const lesson of LESSONS) for (const path of lesson.setup) assert.ok(existsSync(join(root, path)), path);
  });

  it('starts with nothing done', () => {
    assert.ok(evaluate(readLabFacts(undefined, undefined, emptyProgress())).every((r) => !r.done));
  });
});

describe('lessons: scenarios in fast-forward', function () {
  this.timeout(120_000);

  it('1 · the architecture: six Ready nodes, three of them control-plane', () => {
    const { cluster, done } = lab();
    waitFor(cluster, 'six Ready nodes', () => done('architecture', 'nodes'), 60_000);
    assert.ok(done('architecture', 'start'));
  });

  it('2 · your first pod: the fixed starter applies and runs', () => {
    const { cluster, done } = lab();
    const [broken] = manifest('examples/lessons/first-pod.yaml');
    assert.equal(cluster.applyAndWait([broken])[0].action, 'failed', 'the starter as shipped is refused');
    const fixed = structuredClone(broken) as KubeObject & { spec: Record<string, unknown> };
    fixed.metadata.name = 'hello-pod';
    fixed.spec = { containers: fixed.spec.contianers };
    applyOk(cluster, fixed);
    assert.ok(done('first-pod', 'apply'));
    waitFor(cluster, 'hello pod Running', () => done('first-pod', 'running'));
  });

  it('3 · follow the request: the right answer, and a re-applied pod with a newer resourceVersion', () => {
    const { cluster, progress, done } = lab();
    applyOk(cluster, ...manifest('examples/pod.yaml'));
    progress.baselines['follow-the-request'] = { etcdRevision: cluster.read.revision() };
    assert.ok(!done('follow-the-request', 'answer'));
    progress.answers[QUESTIONS[0].id] = QUESTIONS[0].correct;
    assert.ok(done('follow-the-request', 'answer'));
    waitFor(cluster, 'web Running', () => cluster.read.get<KubeObject & { status?: { phase?: string } }>('pods', 'default', 'web')?.status?.phase === 'Running');
    assert.ok(!done('follow-the-request', 'revision'), 'not before the learner changes the pod');
    const [pod] = manifest('examples/pod.yaml');
    pod.metadata.labels = { ...pod.metadata.labels, tier: 'frontend' };
    applyOk(cluster, pod);
    assert.ok(done('follow-the-request', 'revision'));
  });

  it('4 · scheduling: too much cpu stays Pending, a pinned pod runs on a master, replicas spread over zones', () => {
    const { cluster, done } = lab();
    applyOk(cluster, ...manifest('examples/lessons/too-much-cpu.yaml'));
    waitFor(cluster, 'greedy unschedulable', () => done('scheduling', 'too-much'));
    applyOk(cluster, ...manifest('examples/lessons/on-a-master.yaml'));
    waitFor(cluster, 'on-a-master running on a master', () => done('scheduling', 'on-a-master'));
    applyOk(cluster, ...manifest('examples/deployment.yaml'));
    waitFor(cluster, 'web spread over three zones', () => done('scheduling', 'spread'));
  });

  it('5 · self-healing: six replicas, a deleted pod replaced, a stopped worker\'s pods replaced elsewhere', () => {
    const { cluster, faults, done } = lab();
    applyOk(cluster, ...manifest('examples/deployment.yaml'));
    waitFor(cluster, 'six ready replicas', () => done('self-healing', 'replicas'));
    const victim = cluster.read.list<KubeObject>('pods').find((p) => p.metadata.labels?.app === 'web')!;
    let deleted = false;
    cluster.client('kubectl').request({ verb: 'delete', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: victim.metadata.name }, { traceId: 'lesson' }, () => (deleted = true));
    waitFor(cluster, 'delete answered', () => deleted);
    waitFor(cluster, 'six ready replicas again', () => done('self-healing', 'delete-pod'));
    faults.stop('node', 'worker-1');
    waitFor(cluster, 'replacements away from worker-1', () => done('self-healing', 'stop-worker'), 600_000);
  });

  it('6 · an HA control plane: master-1 down keeps quorum, a second etcd member down loses it, recovery', () => {
    const { cluster, faults, done } = lab();
    applyOk(cluster, ...manifest('examples/deployment.yaml'));
    faults.stop('node', 'master-1');
    assert.ok(done('ha-control-plane', 'stop-master'));
    faults.stop('etcd', 'master-2');
    assert.ok(done('ha-control-plane', 'lose-quorum'));
    assert.ok(!done('ha-control-plane', 'recover'));
    faults.start('etcd', 'master-2');
    faults.start('node', 'master-1');
    waitFor(cluster, 'recovered with the Deployment intact', () => done('ha-control-plane', 'recover'));
  });

  it('7 · services: endpoints for the Service, and a request from a node answered by a pod', () => {
    const { cluster, done } = lab();
    applyOk(cluster, ...manifest('examples/deployment.yaml'), ...manifest('examples/service.yaml'));
    waitFor(cluster, 'endpoints', () => done('services', 'expose'));
    waitFor(cluster, 'kube-proxy programmed the Service', () => sendToService(cluster, 'worker-2', { name: 'web' }).ok, 30_000);
    assert.ok(done('services', 'request'));
  });

  it('8 · your own kubectl: a kubectl list of nodes is seen, another client\'s is not', () => {
    const { cluster, done } = lab();
    let answered = 0;
    cluster.client('kube-scheduler').request({ verb: 'list', apiVersion: 'v1', resource: 'nodes' }, { traceId: 'x' }, () => answered++);
    waitFor(cluster, 'answered', () => answered === 1);
    assert.ok(!done('kubectl', 'get-nodes'));
    cluster.client('kubectl/v1.32.4').request({ verb: 'list', apiVersion: 'v1', resource: 'nodes' }, { traceId: 'y' }, () => answered++);
    waitFor(cluster, 'answered', () => answered === 2);
    assert.ok(done('kubectl', 'get-nodes'));
  });

  it('9 · priority and preemption: fillers on every worker, then an urgent pod preempts one and runs on its node', () => {
    const { cluster, done } = lab();
    applyOk(cluster, ...manifest('examples/lessons/filler.yaml'));
    waitFor(cluster, 'three fillers ready', () => done('priority', 'fill'));
    assert.ok(!done('priority', 'preempt'));
    applyOk(cluster, ...manifest('examples/lessons/urgent.yaml'));
    waitFor(cluster, 'urgent running after preempting a filler', () => done('priority', 'preempt'));
  });
});
