/**
 * The simulated network between machines: masters, workers, the load balancer ("lb") and the
 * outside world ("client", where kubectl runs).
 *
 * Latency is drawn from the clock's seeded RNG (same zone 0.5–1 ms, across zones 1–2 ms, to or from
 * an outside client about 1 ms, on the same machine 0.05 ms), so a seed replays the same timings.
 * Each (from, to) pair is a FIFO channel, as a TCP connection is: a message never overtakes an
 * earlier one on the same channel, and messages written to it in the same instant travel together
 * (one latency, delivered one after another on arrival), as bytes written back to back on one
 * connection do. A message to or from a host that is down, or across a partition, is dropped
 * silently; the sender only notices through its own timeout.
 *
 * The network writes no log entries: the layers that know what a message means do.
 */
import type { Clock, ClockTask } from './clock';

export interface HostSpec {
  name: string;
  /** Availability zone, e.g. "us-east-2a"; hosts without a zone (lb, client) count as outside. */
  zone?: string;
}

interface Host extends HostSpec {
  up: boolean;
}

/**
 * One direction between two hosts, as a TCP connection is: its ends (whose `up` flags change in
 * place) and the last delivery time scheduled on it, updated in place (a number stored in a map
 * would be a fresh heap allocation on every send). Found once per message, with two map lookups.
 */
export interface Channel {
  from: Host;
  to: Host;
  /** "a|b", for the partition check (only needed while a partition exists). */
  pair: string;
  /** Which latency the channel draws (fixed: a host's zone never changes), so a send reads no host. */
  kind: LinkKind;
  tail: number;
  /** The newest group of messages on the channel: later messages sent in its instant join it. */
  batch: Batch | undefined;
  /** When `batch` was sent (kept here, updated in place: a number field of each batch would be a heap number). */
  batchSentAt: number;
  readonly network: Network;
}

/**
 * A message that is an object rather than a closure: a request's round trip or a watch stream sends
 * itself, many times, instead of a fresh closure per message. `arrive()` runs on delivery; `lost()`
 * when the network drops it on arrival (dropped at once, `send` returns false instead).
 */
export interface NetworkMessage {
  arrive(): void;
  lost(): void;
}

export type Message = (() => void) | NetworkMessage;

/**
 * Messages written to one channel in one instant, delivered together. The batch is itself the clock's
 * task (no closure or timer per batch).
 */
class Batch implements ClockTask {
  /** Later messages of the group, in the order sent (most groups have one message: no array). */
  rest: Message[] | undefined = undefined;

  constructor(
    readonly ch: Channel,
    /** For `sendVia` groups, the two hops through the relay (checked on arrival); else undefined. */
    readonly hop1: Channel | undefined,
    readonly hop2: Channel | undefined,
    readonly first: Message,
  ) {}

  run(): void {
    this.ch.network.deliverBatch(this);
  }
}

/**
 * A path many messages take (a client's to and from an API server, a watch's events): `send` as
 * `Network.send` or `sendVia` would, with its channels found once instead of looked up by host names
 * (two or three lookups in maps of thousands of hosts) for every message.
 */
export class Path {
  /** @internal The channels, once both hosts (and the relay) are known; undefined until then. */
  ch: Channel | undefined = undefined;
  /** @internal */
  hop1: Channel | undefined = undefined;
  /** @internal */
  hop2: Channel | undefined = undefined;

  constructor(
    private readonly network: Network,
    readonly from: string,
    readonly to: string,
    /** The relay that makes no decision (as with `sendVia`), if any. */
    readonly via: string | undefined,
  ) {}

  /** Returns false when the message is dropped at once. */
  send(message: Message): boolean {
    return this.network.sendOn(this, message);
  }
}

/**
 * A one-way stream of messages along a path, as the messages of one connection: each `send` is a
 * network message exactly as `Path.send` of a closure would be (same latency draws, same FIFO channel,
 * same drops), but the stream object itself travels and the message's arguments wait in its queue, so
 * a message costs no closure and context (raft's messages and etcd's watch events, several per write,
 * in flight long enough to outlive scavenges). The channel is FIFO and each send arrives or is lost
 * exactly once, so the message arriving is always the head of the queue.
 */
export class Stream<A, B = void> implements NetworkMessage {
  /** The queued messages' arguments, two slots each, from `head` on. */
  private readonly queue: (A | B)[] = [];
  private head = 0;

  constructor(
    private readonly path: Path,
    private readonly receive: (a: A, b: B) => void,
  ) {}

  /** Send one message (`receive(a, b)` at the other end). Returns false when dropped at once. */
  send(a: A, b: B): boolean {
    if (!this.path.send(this)) return false;
    this.queue.push(a, b);
    return true;
  }

  arrive(): void {
    const queue = this.queue;
    const a = queue[this.head] as A;
    const b = queue[this.head + 1] as B;
    this.shift();
    this.receive(a, b);
  }

  lost(): void {
    this.shift();
  }

  /** Drop the head message (releasing what it holds), emptying or compacting the queue when it can. */
  private shift(): void {
    const queue = this.queue;
    const head = this.head;
    queue[head] = queue[head + 1] = undefined as A;
    this.head = head + 2;
    if (this.head === queue.length) {
      queue.length = 0;
      this.head = 0;
    } else if (this.head >= 256 && this.head * 2 >= queue.length) {
      // Traffic that never lets the queue drain: drop the consumed slots now and then.
      queue.splice(0, this.head);
      this.head = 0;
    }
  }
}

export interface Partition {
  id: number;
  /** The isolated host. */
  host: string;
  /** The hosts it can no longer reach (both directions). */
  from: readonly string[];
}

export type TopologyListener = () => void;

const SAME_HOST_MS = 0.05;

export class Network {
  private readonly hosts = new Map<string, Host>();
  private readonly partitions = new Map<number, Partition>();
  /** Pairs "a|b" currently cut by at least one partition, with the number of partitions cutting them. */
  private readonly cut = new Map<string, number>();
  /** Channels by sender, then receiver. */
  private readonly channels = new Map<string, Map<string, Channel>>();
  private readonly listeners = new Set<TopologyListener>();
  private nextPartitionId = 1;
  /** Inside changeTogether: notifications wait for its end. */
  private holding = 0;
  private heldChange = false;
  /** Hosts powered off. */
  private downHosts = 0;
  /**
   * No host is down and no partition cuts anything (the usual case): every channel is open, and a send
   * need not read the channel's two host objects (with thousands of hosts, a cache miss each).
   */
  private allOpen = true;
  /** Messages dropped so far (for tests and the flow view's counters). */
  dropped = 0;
  /** Messages delivered so far. */
  delivered = 0;

  constructor(private readonly clock: Clock) {}

  addHost(spec: HostSpec): void {
    if (this.hosts.has(spec.name)) throw new Error(`network: host "${spec.name}" already exists`);
    this.hosts.set(spec.name, { ...spec, up: true });
  }

  hasHost(name: string): boolean {
    return this.hosts.has(name);
  }

  hostNames(): string[] {
    return [...this.hosts.keys()];
  }

  zoneOf(name: string): string | undefined {
    return this.hosts.get(name)?.zone;
  }

  isUp(name: string): boolean {
    return this.hosts.get(name)?.up ?? false;
  }

  /** Power a host off: everything it sends or should receive is lost until it comes back. */
  setDown(name: string): void {
    const host = this.host(name);
    if (host.up) this.downHosts++;
    host.up = false;
    this.updateAllOpen();
    this.changed();
  }

  setUp(name: string): void {
    const host = this.host(name);
    if (!host.up) this.downHosts--;
    host.up = true;
    this.updateAllOpen();
    this.changed();
  }

  private updateAllOpen(): void {
    this.allOpen = this.downHosts === 0 && this.cut.size === 0;
  }

  /** Isolate `host` from each of `others` (both directions). Returns the partition, to heal it later. */
  partition(host: string, others: readonly string[]): Partition {
    this.host(host);
    for (const other of others) this.host(other);
    const p: Partition = { id: this.nextPartitionId++, host, from: [...others] };
    this.partitions.set(p.id, p);
    for (const other of p.from) this.cut.set(pairKey(host, other), (this.cut.get(pairKey(host, other)) ?? 0) + 1);
    this.updateAllOpen();
    this.changed();
    return p;
  }

  heal(id: number): void {
    const p = this.partitions.get(id);
    if (!p) return;
    this.partitions.delete(id);
    for (const other of p.from) {
      const key = pairKey(p.host, other);
      const n = (this.cut.get(key) ?? 1) - 1;
      if (n <= 0) this.cut.delete(key);
      else this.cut.set(key, n);
    }
    this.updateAllOpen();
    this.changed();
  }

  activePartitions(): Partition[] {
    return [...this.partitions.values()];
  }

  /** Whether a message sent now from `from` would reach `to`. */
  canReach(from: string, to: string): boolean {
    const a = this.hosts.get(from);
    const b = this.hosts.get(to);
    if (!a || !b || !a.up || !b.up) return false;
    if (from === to || this.cut.size === 0) return true;
    return !this.cut.has(pairKey(from, to));
  }

  /** canReach for a channel already found. */
  private open(ch: Channel): boolean {
    if (this.allOpen) return true;
    if (!ch.from.up || !ch.to.up) return false;
    return ch.from === ch.to || this.cut.size === 0 || !this.cut.has(ch.pair);
  }

  /** One-way latency on a channel, in milliseconds (drawn from the seeded RNG; none for the same machine). */
  private latencyOf(ch: Channel): number {
    switch (ch.kind) {
      case LinkKind.SameHost: return SAME_HOST_MS;
      case LinkKind.Outside: return 0.8 + this.clock.rng.next() * 0.4;
      case LinkKind.SameZone: return 0.5 + this.clock.rng.next() * 0.5;
      default: return 1 + this.clock.rng.next();
    }
  }

  /**
   * Send a message: `deliver` runs at the receiver after the latency, unless either end is down or
   * cut off when it is sent or when it would arrive. Returns false when dropped at once.
   */
  send(from: string, to: string, deliver: Message): boolean {
    const ch = this.channel(from, to);
    if (!ch) return this.drop();
    return this.sendAlong(ch, undefined, undefined, deliver);
  }

  /**
   * Send through a relay that makes no decision (the load balancer on the way back): one delivery
   * after both hops' latency, dropped if either hop is cut when sent or when it arrives. FIFO per
   * (from, to) pair as with `send`.
   */
  sendVia(from: string, via: string, to: string, deliver: Message): boolean {
    const first = this.channel(from, via);
    const second = this.channel(via, to);
    if (!first || !second) return this.drop();
    return this.sendAlong(this.channel(from, to)!, first, second, deliver);
  }

  /** The path from → to (through the relay `via`, if given) for many messages: see `Path`. */
  path(from: string, to: string, via?: string): Path {
    return new Path(this, from, to, via);
  }

  /** @internal (Path) Send along a path, finding its channels the first time both ends are known. */
  sendOn(path: Path, deliver: Message): boolean {
    let ch = path.ch;
    if (ch === undefined) {
      const via = path.via;
      const found = this.channel(path.from, path.to);
      const hop1 = via === undefined ? undefined : this.channel(path.from, via);
      const hop2 = via === undefined ? undefined : this.channel(via, path.to);
      if (!found || (via !== undefined && (!hop1 || !hop2))) return this.drop();
      path.ch = ch = found;
      path.hop1 = hop1;
      path.hop2 = hop2;
    }
    return this.sendAlong(ch, path.hop1, path.hop2, deliver);
  }

  /** Send on channel `ch`, directly or (with its two hops) through a relay. */
  private sendAlong(ch: Channel, hop1: Channel | undefined, hop2: Channel | undefined, deliver: Message): boolean {
    if (hop1 === undefined ? !this.open(ch) : !this.open(hop1) || !this.open(hop2!)) return this.drop();
    if (this.joinBatch(ch, hop1, hop2, deliver)) return true;
    const latency = hop1 === undefined ? this.latencyOf(ch) : this.latencyOf(hop1) + this.latencyOf(hop2!);
    this.startBatch(ch, hop1, hop2, latency, deliver);
    return true;
  }

  private drop(): false {
    this.dropped++;
    return false;
  }

  /** Add `deliver` to the channel's newest group if it was sent this instant the same way. */
  private joinBatch(ch: Channel, hop1: Channel | undefined, hop2: Channel | undefined, deliver: Message): boolean {
    const batch = ch.batch;
    if (batch === undefined || ch.batchSentAt !== this.clock.now() || batch.hop1 !== hop1 || batch.hop2 !== hop2) return false;
    // A literal of one (an empty array's first push would reserve room for 17).
    if (batch.rest === undefined) batch.rest = [deliver];
    else batch.rest.push(deliver);
    return true;
  }

  private startBatch(ch: Channel, hop1: Channel | undefined, hop2: Channel | undefined, latency: number, deliver: Message): void {
    const now = this.clock.now();
    let at = now + latency;
    if (ch.tail > at) at = ch.tail;
    ch.tail = at;
    const batch = new Batch(ch, hop1, hop2, deliver);
    ch.batch = batch;
    ch.batchSentAt = now;
    this.clock.scheduleTask(at - now, batch);
  }

  /** @internal (Batch) A group's time came: each message arrives in turn. */
  deliverBatch(batch: Batch): void {
    const ch = batch.ch;
    if (ch.batch === batch) ch.batch = undefined;
    this.arrive(batch, batch.first);
    const rest = batch.rest;
    if (rest !== undefined) for (let i = 0; i < rest.length; i++) this.arrive(batch, rest[i]);
  }

  /** One message of a group arrives: delivered if its path is still open (a delivery may change it). */
  private arrive(batch: Batch, message: Message): void {
    const ok = batch.hop1 === undefined ? this.open(batch.ch) : this.open(batch.hop1) && this.open(batch.hop2!);
    if (!ok) {
      this.dropped++;
      if (typeof message !== 'function') message.lost();
      return;
    }
    this.delivered++;
    if (typeof message === 'function') message();
    else message.arrive();
  }

  /** Called when reachability may have changed (hosts, partitions, or a process starting or stopping). */
  onTopologyChange(listener: TopologyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tell listeners that something they depend on changed (processes call it when they start or stop). */
  changed(): void {
    if (this.holding > 0) {
      this.heldChange = true;
      return;
    }
    for (const listener of [...this.listeners]) listener();
  }

  /**
   * Run `fn`, telling listeners once at the end about all it changed: a zone's machines power off in
   * one instant, and each of thousands of watches need not re-check its path after every machine.
   */
  changeTogether(fn: () => void): void {
    this.holding++;
    try {
      fn();
    } finally {
      if (--this.holding === 0 && this.heldChange) {
        this.heldChange = false;
        this.changed();
      }
    }
  }

  /** The channel from → to, made on first use; undefined if either host is unknown. */
  private channel(from: string, to: string): Channel | undefined {
    let out = this.channels.get(from);
    let ch = out?.get(to);
    if (ch) return ch;
    const a = this.hosts.get(from);
    const b = this.hosts.get(to);
    if (!a || !b) return undefined;
    if (!out) this.channels.set(from, (out = new Map()));
    out.set(to, (ch = { from: a, to: b, pair: pairKey(from, to), kind: linkKind(a, b), tail: Number.NEGATIVE_INFINITY, batch: undefined, batchSentAt: Number.NEGATIVE_INFINITY, network: this }));
    return ch;
  }

  private host(name: string): Host {
    const host = this.hosts.get(name);
    if (!host) throw new Error(`network: unknown host "${name}"`);
    return host;
  }
}

/** How two hosts are linked, which decides a message's latency. */
const enum LinkKind {
  SameHost,
  /** One end has no zone (the load balancer, an outside client). */
  Outside,
  SameZone,
  CrossZone,
}

function linkKind(a: Host, b: Host): LinkKind {
  if (a === b) return LinkKind.SameHost;
  if (a.zone === undefined || b.zone === undefined) return LinkKind.Outside;
  return a.zone === b.zone ? LinkKind.SameZone : LinkKind.CrossZone;
}

function pairKey(a: string, b: string): string {
  return a < b ? a + '|' + b : b + '|' + a;
}
