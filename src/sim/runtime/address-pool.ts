/**
 * IP address management for a node's pods (what the CNI plugin's host-local IPAM does): addresses
 * from the node's pod CIDR, the first usable one (.1) kept for the bridge gateway, handed out round
 * robin after the last one reserved (so a new pod rarely reuses the IP a deleted pod just had).
 */

export class PodAddressPool {
  private readonly base: number;
  private readonly size: number;
  private readonly used = new Set<number>();
  private next = 2;

  /** `previous`: addresses still held when the CIDR changes stay reserved if they fall inside. */
  constructor(readonly cidr: string, previous?: PodAddressPool) {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (!m) throw new Error(`invalid CIDR address: ${cidr}`);
    const prefix = Number(m[5]);
    if (prefix < 8 || prefix > 30) throw new Error(`invalid CIDR address: ${cidr}`);
    const ip = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
    this.size = 2 ** (32 - prefix);
    this.base = ip - (ip % this.size);
    for (const held of previous?.held() ?? []) {
      const offset = toInt(held) - this.base;
      if (offset > 1 && offset < this.size - 1) this.used.add(offset);
    }
  }

  /** The next free address after the last one handed out, or undefined when the range is exhausted. */
  allocate(): string | undefined {
    const capacity = this.size - 3; // network, gateway, broadcast
    if (this.used.size >= capacity) return undefined;
    while (this.used.has(this.next)) this.next = this.next + 1 >= this.size - 1 ? 2 : this.next + 1;
    const offset = this.next;
    this.used.add(offset);
    this.next = offset + 1 >= this.size - 1 ? 2 : offset + 1;
    return toDotted(this.base + offset);
  }

  release(ip: string): void {
    const offset = toInt(ip) - this.base;
    this.used.delete(offset);
  }

  reset(): void {
    this.used.clear();
    this.next = 2;
  }

  held(): string[] {
    return [...this.used].map((o) => toDotted(this.base + o));
  }
}

function toInt(ip: string): number {
  const p = ip.split('.').map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

function toDotted(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
