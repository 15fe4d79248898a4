/**
 * What the manifest diagnostics may know about the lab (lab-aware hints: an image the lab's registry does
 * not have, a nodeSelector no node matches, requests no node can hold). The same object is returned until
 * the cluster's state changes, so the diagnostics cache stays warm while the learner types.
 */
import type { LabFacts, LabNode } from '../manifest/types';
import type { Node } from '../sim/api/types';
import { lookupImage } from '../sim/images';
import type { LabController } from './lab-controller';
import type { LabState } from './tree/model';

const images = { isKnown: (image: string) => lookupImage(image).status === 'found' };

export function labFactsProvider(lab: LabController): () => LabFacts | undefined {
  let forState: LabState | undefined;
  let facts: LabFacts = { images };
  return () => {
    const state = lab.state();
    if (!state) return { images };
    if (state !== forState) {
      forState = state;
      const nodes: LabNode[] = state.nodes.map((n: Node) => ({
        name: n.metadata.name ?? '',
        labels: n.metadata.labels ?? {},
        allocatable: (n.status?.allocatable ?? {}) as Record<string, string | number>,
      }));
      facts = { images, nodes };
    }
    return facts;
  };
}
