/** Shared helpers for integration tests (not a test file itself). */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { K8sLabApi } from '../../src/extension';

export const EXTENSION_ID = 'k8s-lab.k8s-lab';

export async function activateLab(): Promise<K8sLabApi> {
  const ext = vscode.extensions.getExtension<K8sLabApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
  return ext.activate();
}
