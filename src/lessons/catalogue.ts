/**
 * The guided lessons: for each step that the learner *does*, a check over the lab's real state (LabFacts).
 * The texts, pictures and buttons live in package.json's `contributes.walkthroughs` (VS Code shows them on the
 * Welcome page); a step whose check holds sets the context key `k8sLab.lesson.<lesson>.<step>`, which is that
 * step's completion event. Steps completed by a VS Code event alone (opening a view, running a command) have
 * no check here.
 */
import type { Node, Pod } from '../sim/api/types';
import type { LabFacts } from './facts';

export interface LessonStep {
  id: string;
  /** True when the step is done, read from the cluster's real state. */
  check: (facts: LabFacts) => boolean;
}

export interface Lesson {
  /** The walkthrough id is `k8sLab.lesson.<id>`. */
  id: string;
  /** Manifests (under examples/lessons/ or examples/) the lesson applies when it is reset, in order. */
  setup: readonly string[];
  steps: readonly LessonStep[];
}

/** A lesson file the learner edits; opened from the extension's examples into the lab's storage. */
export interface Starter {
  id: string;
  /** Path under the extension's folder. */
  source: string;
}

export const STARTERS: readonly Starter[] = [
  { id: 'first-pod', source: 'examples/lessons/first-pod.yaml' },
  { id: 'pod', source: 'examples/pod.yaml' },
  { id: 'too-much-cpu', source: 'examples/lessons/too-much-cpu.yaml' },
  { id: 'on-a-master', source: 'examples/lessons/on-a-master.yaml' },
  { id: 'deployment', source: 'examples/deployment.yaml' },
  { id: 'service', source: 'examples/service.yaml' },
  { id: 'filler', source: 'examples/lessons/filler.yaml' },
  { id: 'urgent', source: 'examples/lessons/urgent.yaml' },
];

/** A multiple-choice question a lesson asks. */
export interface Question {
  id: string;
  prompt: string;
  choices: readonly { id: string; label: string; explanation: string }[];
  correct: string;
}

export const QUESTIONS: readonly Question[] = [
  {
    id: 'who-starts-the-pod',
    prompt: 'Who tells the kubelet to start the pod?',
    choices: [
      { id: 'apiserver', label: 'The API server calls the kubelet', explanation: 'The API server never calls the kubelet to start pods: it only stores the pod and sends watch events to whoever watches.' },
      { id: 'scheduler', label: 'The scheduler calls the kubelet', explanation: 'The scheduler only writes a Binding through the API server; it never talks to a kubelet.' },
      { id: 'etcd', label: 'etcd notifies the kubelet', explanation: 'Only the API server talks to etcd. Kubelets never see etcd.' },
      { id: 'nobody', label: 'Nobody: the kubelet watches for pods bound to its node', explanation: 'Right. The kubelet watches pods whose spec.nodeName is its own node, and acts when one appears.' },
    ],
    correct: 'nobody',
  },
];

// ---------------------------------------------------------------- helpers over facts

const isControlPlane = (node: Node) => node.metadata.labels?.['node-role.kubernetes.io/control-plane'] !== undefined;
const nodeReady = (node: Node) => node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const podReady = (pod: Pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const alive = (pod: Pod) => !pod.metadata.deletionTimestamp;
const running = (pod: Pod) => alive(pod) && pod.status?.phase === 'Running';
const hasFault = (facts: LabFacts, kind: string, name?: string) => facts.faults.some((f) => f.kind === kind && (name === undefined || f.name === name));
const zoneOf = (facts: LabFacts, nodeName: string | undefined) =>
  facts.nodes.find((n) => n.metadata.name === nodeName)?.metadata.labels?.['topology.kubernetes.io/zone'];

/** Pods labelled app=<app> that are ready, not terminating. */
function readyPods(facts: LabFacts, app: string): Pod[] {
  return facts.pods.filter((p) => p.metadata.labels?.app === app && alive(p) && podReady(p));
}

function spreadOverZones(facts: LabFacts, pods: readonly Pod[], zones: number): boolean {
  const counts = new Map<string, number>();
  for (const pod of pods) {
    const zone = zoneOf(facts, pod.spec.nodeName);
    if (zone) counts.set(zone, (counts.get(zone) ?? 0) + 1);
  }
  const values = [...counts.values()];
  return counts.size >= zones && Math.max(...values) - Math.min(...values) <= 1;
}

function unschedulable(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable') ?? false;
}

// ---------------------------------------------------------------- the lessons

export const LESSONS: readonly Lesson[] = [
  {
    id: 'architecture',
    setup: [],
    steps: [
      { id: 'start', check: (f) => f.running },
      { id: 'nodes', check: (f) => f.running && f.nodes.length >= 6 && f.nodes.every(nodeReady) && f.nodes.filter(isControlPlane).length >= 3 },
    ],
  },
  {
    id: 'first-pod',
    setup: [],
    steps: [
      { id: 'fix', check: (f) => f.starterErrors['first-pod'] === 0 },
      { id: 'apply', check: (f) => f.pods.some((p) => p.metadata.labels?.app === 'hello' && alive(p)) },
      { id: 'running', check: (f) => f.pods.some((p) => p.metadata.labels?.app === 'hello' && running(p)) },
    ],
  },
  {
    id: 'follow-the-request',
    setup: ['examples/pod.yaml'],
    steps: [
      { id: 'answer', check: (f) => f.answers['who-starts-the-pod'] === 'nobody' },
      {
        // Re-apply pod.yaml with a label added: the pod's resourceVersion (etcd's revision of its last change) grows.
        id: 'revision',
        check: (f) => {
          const base = f.baselines['follow-the-request'];
          return f.pods.some((p) => p.metadata.name === 'web' && alive(p) && Object.keys(p.metadata.labels ?? {}).length > 1 &&
            base !== undefined && Number(p.metadata.resourceVersion) > base.etcdRevision);
        },
      },
    ],
  },
  {
    id: 'scheduling',
    setup: [],
    steps: [
      { id: 'too-much', check: (f) => f.pods.some((p) => p.metadata.name === 'greedy' && alive(p) && unschedulable(p)) },
      {
        id: 'on-a-master',
        check: (f) =>
          f.pods.some((p) => {
            if (p.metadata.name !== 'on-a-master' || !running(p)) return false;
            const node = f.nodes.find((n) => n.metadata.name === p.spec.nodeName);
            return node !== undefined && isControlPlane(node);
          }),
      },
      { id: 'spread', check: (f) => spreadOverZones(f, readyPods(f, 'web'), 3) },
    ],
  },
  {
    id: 'self-healing',
    setup: [],
    steps: [
      { id: 'replicas', check: (f) => readyPods(f, 'web').length >= 6 },
      { id: 'delete-pod', check: (f) => f.podsDeletedByUser > 0 && readyPods(f, 'web').length >= 6 },
      {
        id: 'stop-worker',
        check: (f) => {
          const stopped = f.faults.filter((x) => x.kind === 'node' && x.name.startsWith('worker')).map((x) => x.name);
          if (stopped.length === 0) return false;
          const ready = readyPods(f, 'web');
          return ready.length >= 6 && ready.every((p) => !stopped.includes(p.spec.nodeName ?? ''));
        },
      },
    ],
  },
  {
    id: 'ha-control-plane',
    setup: ['examples/deployment.yaml'],
    steps: [
      { id: 'stop-master', check: (f) => hasFault(f, 'node', 'master-1') && f.etcdQuorum },
      { id: 'lose-quorum', check: (f) => f.running && !f.etcdQuorum },
      {
        id: 'recover',
        check: (f) => f.running && f.faults.length === 0 && f.etcdQuorum && f.deployments.some((d) => d.metadata.name === 'web'),
      },
    ],
  },
  {
    id: 'services',
    setup: ['examples/deployment.yaml'],
    steps: [
      {
        id: 'expose',
        check: (f) =>
          f.services.some((s) => s.metadata.name === 'web') &&
          f.endpoints.some((e) => e.metadata.name === 'web' && (e.subsets ?? []).some((s) => (s.addresses ?? []).length > 0)),
      },
      { id: 'request', check: (f) => f.serviceRequestsAnswered > 0 },
    ],
  },
  {
    id: 'kubectl',
    setup: [],
    steps: [{ id: 'get-nodes', check: (f) => f.requestsSeen.has('kubectl list nodes') }],
  },
  {
    id: 'priority',
    setup: [],
    steps: [
      { id: 'fill', check: (f) => readyPods(f, 'filler').length >= 3 },
      // Running with a nominated node: it got its room by preempting (a pod that simply fit is never nominated).
      { id: 'preempt', check: (f) => f.pods.some((p) => p.metadata.name === 'urgent' && running(p) && (p.spec.priority ?? 0) > 0 && !!p.status?.nominatedNodeName) },
    ],
  },
];

/** The context key that completes a checked step. */
export function stepContextKey(lessonId: string, stepId: string): string {
  return `k8sLab.lesson.${lessonId}.${stepId}`;
}

/** Every checked step with its current result. */
export function evaluate(facts: LabFacts): { lesson: string; step: string; key: string; done: boolean }[] {
  return LESSONS.flatMap((lesson) =>
    lesson.steps.map((step) => ({ lesson: lesson.id, step: step.id, key: stepContextKey(lesson.id, step.id), done: safely(step.check, facts) })),
  );
}

function safely(check: (facts: LabFacts) => boolean, facts: LabFacts): boolean {
  try {
    return check(facts);
  } catch {
    return false;
  }
}
