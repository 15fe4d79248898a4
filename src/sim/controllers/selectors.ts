/**
 * Label selectors of cached objects, compiled once: cached objects are frozen and shared, so a
 * WeakMap keyed by the selector object is a safe memo (a changed object has a new selector object).
 */
import type { LabelSelector } from '../api/types';
import { labelSelectorAsSelector, selectorFromSet, Selector, SelectorError, type Labels } from '../api/labels';

const compiled = new WeakMap<object, Selector>();

export function compileSelector(ls: LabelSelector | undefined): Selector {
  if (!ls) return Selector.nothing;
  let s = compiled.get(ls);
  if (!s) {
    try {
      s = labelSelectorAsSelector(ls);
    } catch (e) {
      if (!(e instanceof SelectorError)) throw e;
      s = Selector.nothing;
    }
    compiled.set(ls, s);
  }
  return s;
}

/** A Service's map selector (an empty or absent map selects nothing for endpoints). */
export function compileSetSelector(set: Labels | undefined): Selector {
  if (!set || Object.keys(set).length === 0) return Selector.nothing;
  let s = compiled.get(set);
  if (!s) {
    s = selectorFromSet(set);
    compiled.set(set, s);
  }
  return s;
}
