/**
 * `k8s-lab`: the headless entry point. Each verb lives in its own module; this file only dispatches.
 *   k8s-lab trace -f FILE [--seed N] [--json]
 *   k8s-lab validate FILE... [--output json]
 *   k8s-lab serve [--port N] [--kubeconfig PATH] [--speed X] [--preset default|large]
 *   k8s-lab fault stop|start KIND NAME
 */
type Verb = (args: string[]) => Promise<number>;

const verbs: Record<string, () => Promise<Verb>> = {};
verbs.trace = async () => (await import('./trace')).default;
verbs.validate = async () => (await import('./validate')).default;
verbs.serve = async () => (await import('./serve')).default;
verbs.fault = async () => (await import('./fault')).default;

const usage = `Usage: k8s-lab <command> [options]

Commands:
${Object.keys(verbs).map((v) => `  ${v}`).join('\n') || '  (none yet)'}

Run "k8s-lab <command> --help" for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    process.stdout.write(usage + '\n');
    return verb ? 0 : 2;
  }
  const load = verbs[verb];
  if (!load) {
    process.stderr.write(`k8s-lab: unknown command "${verb}"\n\n${usage}\n`);
    return 2;
  }
  return (await load())(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`k8s-lab: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
