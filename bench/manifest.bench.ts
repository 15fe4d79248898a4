/**
 * Manifest validation benchmark: Kubernetes Lab's engine (parse + schema + the API server's rules) against
 * yaml-language-server 1.19.2 (the engine of Red Hat's YAML extension) validating the same text against the same
 * schema (schemas/kubernetes-lab.json), side by side in one run, for a 40-line Pod and a 2,000-line multi-document
 * file. Prints milliseconds, the ratio, and the valid/invalid verdict per document for both, listing differences.
 *
 *   node scripts/build.mjs && node dist/bench/manifest.bench.js
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManifestValidator, validateText } from '../src/manifest';

// yaml-language-server ships UMD/CommonJS builds; loaded at run time from node_modules (not bundled).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yls = require('yaml-language-server/lib/umd/languageservice/yamlLanguageService.js') as {
  getLanguageService(params: unknown): YamlLanguageService;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TextDocument } = require('vscode-languageserver-textdocument') as {
  TextDocument: { create(uri: string, languageId: string, version: number, text: string): unknown };
};

interface YlsDiagnostic {
  severity?: number;
  message: string;
  range: { start: { line: number; character: number } };
}
interface YamlLanguageService {
  configure(settings: unknown): void;
  doValidation(document: unknown, isKubernetes: boolean): Promise<YlsDiagnostic[]>;
}

const root = process.cwd();
const schema = JSON.parse(readFileSync(join(root, 'schemas/kubernetes-lab.json'), 'utf8')) as unknown;
const SCHEMA_URI = 'file:///k8s-lab/schemas/kubernetes-lab.json';

function ylsService(): YamlLanguageService {
  const service = yls.getLanguageService({
    schemaRequestService: async () => JSON.stringify(schema),
    workspaceContext: { resolveRelativePath: (p: string) => p },
  });
  service.configure({
    validate: true,
    hover: false,
    completion: false,
    yamlVersion: '1.1',
    customTags: [],
    schemas: [{ uri: SCHEMA_URI, fileMatch: ['*.yaml'], schema }],
  });
  return service;
}

// ---------------------------------------------------------------- inputs

const POD_40 = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: default
  labels:
    app: web
    tier: frontend
spec:
  restartPolicy: Always
  containers:
  - name: nginx
    image: nginx:1.27
    imagePullPolicy: IfNotPresent
    ports:
    - name: http
      containerPort: 80
      protocol: TCP
    env:
    - name: MODE
      value: production
    resources:
      requests:
        cpu: 250m
        memory: 64Mi
      limits:
        cpu: 500m
        memory: 128Mi
    readinessProbe:
      httpGet:
        path: /
        port: http
    volumeMounts:
    - name: config
      mountPath: /etc/nginx/conf.d
  volumes:
  - name: config
    configMap:
      name: web-config
`;

const FIXTURES = ['pod.yaml', 'deployment.yaml', 'replicaset.yaml', 'service.yaml', 'configmap.yaml', 'namespace.yaml'].map((f) =>
  readFileSync(join(root, 'test/fixtures/manifests/valid', f), 'utf8'),
);

/** Mistakes learners make, applied to every seventh document: some break the schema, some only the API rules. */
const MISTAKES: [string, string][] = [
  ['containerPort: 80', 'containerPort: "80"'], // schema: type
  ['  containers:', '  contianers:'], // schema: unknown field
  ['name: web', 'name: Web'], // API rule: name syntax
  ['cpu: 250m', 'cpu: 2'], // API rule: requests > limits
  ['imagePullPolicy: IfNotPresent', 'imagePullPolicy: always'], // API rule: enum
  ['replicas: 3', 'replicas: "3"'], // schema: type
  ['tier: frontend', 'tier: front end'], // API rule: label value
];

function bigFile(lines: number): string {
  const docs: string[] = [];
  let count = 0;
  let mistake = 0;
  for (let i = 0; count < lines; i++) {
    let doc = FIXTURES[i % FIXTURES.length].replace(/^(\s*name: )(web|cache|shop|web-config)$/m, `$1$2-${i}`);
    if (i % 4 === 3) {
      // The next mistake (in turn) that this kind of document can have.
      for (let k = 0; k < MISTAKES.length; k++) {
        const [find, replace] = MISTAKES[(mistake + k) % MISTAKES.length];
        if (doc.includes(find)) {
          doc = doc.replace(find, replace);
          mistake += k + 1;
          break;
        }
      }
    }
    docs.push(doc.trimEnd());
    count += doc.split('\n').length;
  }
  return docs.join('\n---\n') + '\n';
}

// ---------------------------------------------------------------- timing

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeSync(runs: number, fn: () => void): number {
  for (let i = 0; i < Math.min(5, runs); i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

async function timeAsync(runs: number, fn: () => Promise<void>): Promise<number> {
  for (let i = 0; i < Math.min(5, runs); i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

// ---------------------------------------------------------------- verdicts

/** Line ranges of the documents, as the engine splits them. */
function documentLines(text: string): { start: number; end: number; kind?: string; name?: string }[] {
  const result = validateText(text);
  const lineOf = (offset: number): number => text.slice(0, offset).split('\n').length - 1;
  return result.documents.map((d) => ({ start: lineOf(d.offset), end: lineOf(d.offset + d.length), kind: d.kind, name: d.name }));
}

interface Verdicts {
  ours: boolean[];
  theirs: boolean[];
  ourReasons: string[][];
  theirReasons: string[][];
}

async function verdicts(text: string, service: YamlLanguageService): Promise<Verdicts> {
  const docs = documentLines(text);
  const ours = validateText(text);
  const theirs = await service.doValidation(TextDocument.create('file:///bench/verdict.yaml', 'yaml', 1, text), false);
  const ourReasons = docs.map((_, i) => ours.diagnostics.filter((d) => d.document === i && d.severity === 'error').map((d) => `${d.rule}: ${d.message}`));
  const theirReasons = docs.map((d) =>
    // yaml-language-server reports schema violations as errors or warnings (unknown properties, wrong types).
    theirs.filter((x) => (x.severity === 1 || x.severity === 2) && x.range.start.line >= d.start && x.range.start.line <= d.end).map((x) => x.message),
  );
  return { ours: ourReasons.map((r) => r.length === 0), theirs: theirReasons.map((r) => r.length === 0), ourReasons, theirReasons };
}

// ---------------------------------------------------------------- run

async function compare(label: string, text: string, runs: number): Promise<{ ours: number; theirs: number }> {
  const service = ylsService();
  let version = 0;
  // Each run is a fresh validation of the whole text: a new validator (no cache) for us, a new document version
  // (which defeats its parse cache) for yaml-language-server.
  const ours = timeSync(runs, () => {
    validateText(text);
  });
  const theirs = await timeAsync(runs, async () => {
    await service.doValidation(TextDocument.create('file:///bench/file.yaml', 'yaml', ++version, text), false);
  });
  const lines = text.split('\n').length - 1;
  console.log(
    `${label.padEnd(34)} ${String(lines).padStart(5)} lines   ours ${ours.toFixed(2).padStart(8)} ms   yaml-language-server ${theirs.toFixed(2).padStart(8)} ms   ${(theirs / ours).toFixed(1)}× faster`,
  );
  return { ours, theirs };
}

async function main(): Promise<void> {
  const big = bigFile(2000);
  console.log('Manifest validation: Kubernetes Lab vs yaml-language-server 1.19.2 (same schema, YAML 1.1), median of runs\n');
  const small = await compare('40-line Pod', POD_40, 200);
  const large = await compare('2,000-line multi-document file', big, 30);

  // While typing: one document of the big file changes; the engine re-validates only that one.
  const validator = new ManifestValidator();
  validator.validate(big);
  let edit = 0;
  const incremental = timeSync(50, () => {
    edit++;
    validator.validate(big.replace('replicas: 3', `replicas: ${3 + (edit % 5)}`));
  });
  console.log(`${'  …after a one-document edit'.padEnd(34)} ${''.padStart(5)}        ours ${incremental.toFixed(2).padStart(8)} ms   (${(large.theirs / incremental).toFixed(0)}× faster than a full re-validation by yaml-language-server)`);

  const v = await verdicts(big, ylsService());
  const docs = documentLines(big);
  let invalidOurs = 0;
  let invalidTheirs = 0;
  const differences: string[] = [];
  v.ours.forEach((valid, i) => {
    if (!valid) invalidOurs++;
    if (!v.theirs[i]) invalidTheirs++;
    if (valid !== v.theirs[i]) {
      const what = `document ${i} (${docs[i].kind ?? '?'} ${docs[i].name ?? ''}, line ${docs[i].start + 1})`;
      const why = valid ? `yaml-language-server: ${v.theirReasons[i].join('; ')}` : `ours: ${v.ourReasons[i].join('; ')}`;
      differences.push(`  ${what}: ours ${valid ? 'valid' : 'invalid'}, yaml-language-server ${v.theirs[i] ? 'valid' : 'invalid'} — ${why}`);
    }
  });
  console.log(`\nVerdicts on the ${docs.length} documents of the 2,000-line file: ours ${invalidOurs} invalid, yaml-language-server ${invalidTheirs} invalid, ${differences.length} difference(s)`);
  if (differences.length) {
    console.log('Differences (the schema cannot express the API server\'s rules: names, enums, quantities, requests ≤ limits, label syntax):');
    for (const d of differences) console.log(d.length > 260 ? d.slice(0, 257) + '...' : d);
  }
  const floor = 3;
  const ok = small.theirs / small.ours >= floor && large.theirs / large.ours >= floor;
  console.log(`\nFloor (≥ ${floor}× faster on both sizes): ${ok ? 'met' : 'NOT met'}`);
}

void main();
