/** Container rules (upstream validateContainers): names, images, pull policy, ports, volume mounts, resources. */
import { fieldError } from '../field-errors';
import { formatPath } from '../field-path';
import { isValidPortName, isValidPortNum } from '../names';
import type { FieldError, FieldPath } from '../types';
import { checkName } from './metadata';
import { checkResources } from './resources';
import { checkEnum, ENUMS, isEmpty, isObj, listAt } from './util';

function checkPorts(errs: FieldError[], ports: readonly unknown[], path: FieldPath, seen: Map<string, FieldPath>): void {
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = [...path, i];
    if (!isObj(port)) return;
    if (typeof port.name === 'string' && port.name !== '') {
      const messages = isValidPortName(port.name);
      for (const m of messages) errs.push(fieldError.invalid([...p, 'name'], port.name, m, { rule: 'invalid-port' }));
      if (messages.length === 0) {
        if (names.has(port.name)) errs.push(fieldError.duplicate([...p, 'name'], port.name, { rule: 'duplicate-value' }));
        names.add(port.name);
      }
    }
    if (typeof port.containerPort === 'number') {
      if (port.containerPort === 0) errs.push(fieldError.required([...p, 'containerPort'], undefined, { rule: 'required-field' }));
      else for (const m of isValidPortNum(port.containerPort)) errs.push(fieldError.invalid([...p, 'containerPort'], port.containerPort, m, { rule: 'invalid-port' }));
      const protocol = typeof port.protocol === 'string' ? port.protocol : 'TCP';
      const key = `${port.containerPort}/${protocol}`;
      const first = seen.get(key);
      if (first) {
        errs.push({
          ...fieldError.duplicate(p, key, { rule: 'duplicate-value', severity: 'warning' }),
          message: `${formatPath(p)}: duplicate port definition with ${formatPath(first)}`,
        });
      } else seen.set(key, p);
    }
    if (typeof port.hostPort === 'number' && port.hostPort !== 0) {
      for (const m of isValidPortNum(port.hostPort)) errs.push(fieldError.invalid([...p, 'hostPort'], port.hostPort, m, { rule: 'invalid-port' }));
    }
    checkEnum(errs, port.protocol, [...p, 'protocol'], ENUMS.protocol);
  });
}

function checkVolumeMounts(errs: FieldError[], mounts: readonly unknown[], path: FieldPath, volumes: ReadonlySet<string>): void {
  const mountPaths = new Set<string>();
  mounts.forEach((mount, i) => {
    const p = [...path, i];
    if (!isObj(mount)) return;
    if (isEmpty(mount.name)) errs.push(fieldError.required([...p, 'name'], undefined, { rule: 'required-field' }));
    else if (typeof mount.name === 'string' && !volumes.has(mount.name)) {
      errs.push(fieldError.notFound([...p, 'name'], mount.name, { rule: 'volume-not-found', suggestions: [...volumes] }));
    }
    if (isEmpty(mount.mountPath)) errs.push(fieldError.required([...p, 'mountPath'], undefined, { rule: 'required-field' }));
    else if (typeof mount.mountPath === 'string') {
      if (mountPaths.has(mount.mountPath)) errs.push(fieldError.invalid([...p, 'mountPath'], mount.mountPath, 'must be unique', { rule: 'duplicate-value' }));
      mountPaths.add(mount.mountPath);
    }
  });
}

export interface ContainerContext {
  /** Names of the pod's volumes. */
  volumes: ReadonlySet<string>;
  /** Container names seen so far in the pod (init containers and containers share one namespace). */
  names: Set<string>;
  /** containerPort/protocol pairs seen so far in the pod, for the duplicate-port warning. */
  ports: Map<string, FieldPath>;
}

export function checkContainers(errs: FieldError[], containers: readonly unknown[], path: FieldPath, ctx: ContainerContext, init: boolean): void {
  containers.forEach((c, i) => {
    const p = [...path, i];
    if (!isObj(c)) return;
    if (isEmpty(c.name)) errs.push(fieldError.required([...p, 'name'], undefined, { rule: 'required-field' }));
    else if (typeof c.name === 'string') {
      checkName(errs, c.name, [...p, 'name'], 'label');
      if (ctx.names.has(c.name)) errs.push(fieldError.duplicate([...p, 'name'], c.name, { rule: 'duplicate-value' }));
      ctx.names.add(c.name);
    }
    if (isEmpty(c.image)) errs.push(fieldError.required([...p, 'image'], undefined, { rule: 'required-field' }));
    checkEnum(errs, c.imagePullPolicy, [...p, 'imagePullPolicy'], ENUMS.imagePullPolicy);
    checkEnum(errs, c.terminationMessagePolicy, [...p, 'terminationMessagePolicy'], ENUMS.terminationMessagePolicy);
    if (init) checkEnum(errs, c.restartPolicy, [...p, 'restartPolicy'], ENUMS.containerRestartPolicy);
    checkPorts(errs, listAt(c, 'ports'), [...p, 'ports'], ctx.ports);
    checkVolumeMounts(errs, listAt(c, 'volumeMounts'), [...p, 'volumeMounts'], ctx.volumes);
    checkResources(errs, c.resources, [...p, 'resources']);
  });
}
