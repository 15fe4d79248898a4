/** The common start of every verb: `--help` prints the help (exit 0); bad arguments print the error and the help (exit 2). */
export function argumentsOrExitCode<T extends object>(verb: string, help: string, parsed: T | 'help' | { error: string }): T | number {
  if (parsed === 'help') {
    process.stdout.write(help);
    return 0;
  }
  if ('error' in parsed && typeof parsed.error === 'string') {
    process.stderr.write(`k8s-lab ${verb}: ${parsed.error}\n\n${help}`);
    return 2;
  }
  return parsed as T;
}
