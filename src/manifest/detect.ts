/** Whether a YAML text looks like a Kubernetes manifest (so the editor leaves other YAML files alone). */
const API_VERSION_LINE = /^\s*(?:-\s+)?apiVersion\s*:/m;
const KIND_LINE = /^\s*(?:-\s+)?kind\s*:/m;

export function looksLikeKubernetesManifest(text: string): boolean {
  const head = text.length > 200_000 ? text.slice(0, 200_000) : text;
  return API_VERSION_LINE.test(head) && KIND_LINE.test(head);
}
