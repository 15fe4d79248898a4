import { strict as assert } from 'node:assert';
import { Clock } from '../../../src/sim/clock';
import { Network, Stream } from '../../../src/sim/network';

function net(): { clock: Clock; network: Network } {
  const clock = new Clock(5);
  const network = new Network(clock);
  network.addHost({ name: 'a', zone: 'us-east-2a' });
  network.addHost({ name: 'b', zone: 'us-east-2b' });
  network.addHost({ name: 'lb' });
  return { clock, network };
}

describe('sim/network', () => {
  it('delivers a channel\'s messages in order; those sent in one instant arrive together, after one latency', () => {
    const { clock, network } = net();
    const got: [string, number][] = [];
    const at = (label: string) => () => got.push([label, clock.now()]);
    network.send('a', 'b', at('1'));
    network.send('a', 'b', at('2'));
    network.send('b', 'a', at('other way'));
    network.send('a', 'b', at('3'));
    clock.advance(0.5);
    network.send('a', 'b', at('4'));
    clock.advance(10);
    const ab = got.filter(([l]) => l !== 'other way');
    assert.deepEqual(ab.map(([l]) => l), ['1', '2', '3', '4']);
    // 1-3 left together: same arrival; 4 left later and never overtakes them.
    assert.equal(ab[0][1], ab[1][1]);
    assert.equal(ab[1][1], ab[2][1]);
    assert.ok(ab[3][1] >= ab[2][1]);
    // Cross-zone latency is 1-2 ms.
    assert.ok(ab[0][1] >= 1 && ab[0][1] <= 2, `arrived at ${ab[0][1]}`);
    assert.equal(network.delivered, 5);
  });

  it('drops each message of a group whose path is cut by the time it arrives, even by an earlier one of the group', () => {
    const { clock, network } = net();
    const got: string[] = [];
    network.send('a', 'b', () => {
      got.push('first');
      network.setDown('b');
    });
    network.send('a', 'b', () => got.push('second'));
    clock.advance(10);
    assert.deepEqual(got, ['first']);
    assert.equal(network.dropped, 1);
    assert.equal(network.send('a', 'b', () => got.push('third')), false, 'dropped at once while b is down');
  });

  it('carries message objects among closures in order, and tells one dropped on arrival that it was lost', () => {
    const { clock, network } = net();
    const got: string[] = [];
    const message = (label: string) => ({ arrive: () => got.push(label), lost: () => got.push(`lost ${label}`) });
    network.send('a', 'b', message('object 1'));
    network.send('a', 'b', () => got.push('closure'));
    network.send('a', 'b', message('object 2'));
    clock.advance(10);
    network.send('a', 'b', message('object 3'));
    network.setDown('b');
    clock.advance(10);
    assert.deepEqual(got, ['object 1', 'closure', 'object 2', 'lost object 3']);
    assert.equal(network.delivered, 3);
    assert.equal(network.dropped, 1);
  });

  it('drops across a partition until healed, and while any host of a path is down, however often powered off', () => {
    const { clock, network } = net();
    let got = 0;
    const p = network.partition('a', ['b']);
    assert.equal(network.send('b', 'a', () => got++), false);
    assert.equal(network.send('a', 'lb', () => got++), true, 'only the listed hosts are cut off');
    network.heal(p.id);
    assert.equal(network.send('a', 'b', () => got++), true);
    network.setDown('a');
    network.setDown('a');
    network.setDown('b');
    network.setUp('a');
    assert.equal(network.send('a', 'b', () => got++), false, 'b is still down');
    assert.equal(network.send('a', 'lb', () => got++), true);
    network.setUp('b');
    assert.equal(network.send('a', 'b', () => got++), true);
    clock.advance(10);
    assert.equal(got, 4);
  });

  it('sends along a path as send and sendVia do, in one channel order with them, once its hosts exist', () => {
    const { clock, network } = net();
    const got: string[] = [];
    const direct = network.path('a', 'b');
    const relayed = network.path('a', 'b', 'lb');
    const later = network.path('a', 'c');
    assert.equal(later.send(() => got.push('too early')), false, 'c is unknown yet: dropped');
    network.addHost({ name: 'c', zone: 'us-east-2a' });
    network.send('a', 'b', () => got.push('send'));
    relayed.send(() => got.push('path via lb'));
    direct.send(() => got.push('path'));
    network.sendVia('a', 'lb', 'b', () => got.push('sendVia'));
    later.send(() => got.push('to c'));
    clock.advance(10);
    assert.deepEqual(got.filter((l) => l !== 'to c'), ['send', 'path via lb', 'path', 'sendVia']);
    assert.ok(got.includes('to c'));
    network.setDown('lb');
    assert.equal(relayed.send(() => got.push('lb down')), false);
    assert.equal(network.dropped, 2);
  });

  it('groups messages through a relay apart from direct ones, keeping the channel in order', () => {
    const { clock, network } = net();
    const got: string[] = [];
    network.send('a', 'b', () => got.push('direct 1'));
    network.sendVia('a', 'lb', 'b', () => got.push('via 1'));
    network.send('a', 'b', () => got.push('direct 2'));
    network.sendVia('a', 'lb', 'b', () => got.push('via 2'));
    clock.advance(10);
    assert.deepEqual(got, ['direct 1', 'via 1', 'direct 2', 'via 2']);
  });

  it('changeTogether tells listeners once, at its end, about everything it changed', () => {
    const { network } = net();
    const seen: boolean[] = [];
    network.onTopologyChange(() => seen.push(network.isUp('a') || network.isUp('b')));
    network.changeTogether(() => {
      network.setDown('a');
      network.setDown('b');
      assert.deepEqual(seen, []);
    });
    assert.deepEqual(seen, [false]);
    network.setUp('a');
    assert.deepEqual(seen, [false, true]);
  });
  it('a stream delivers each message\'s arguments at the time a closure sent with it would arrive, and skips lost ones', () => {
    const viaStream = net();
    const viaClosures = net();
    const got: string[] = [];
    const want: string[] = [];
    const stream = new Stream(viaStream.network.path('a', 'b'), (label: string, n: number) => got.push(`${label}${n}@${viaStream.clock.now()}`));
    const send = (i: number) => {
      const label = i % 3 === 0 ? 'x' : 'y';
      stream.send(label, i);
      viaClosures.network.send('a', 'b', () => want.push(`${label}${i}@${viaClosures.clock.now()}`));
    };
    for (let i = 0; i < 600; i++) {
      send(i);
      if (i % 4 === 0) send(i + 1000); // two in one instant: one batch
      if (i === 300) for (const { network } of [viaStream, viaClosures]) network.setDown('b');
      if (i === 320) for (const { network } of [viaStream, viaClosures]) network.setUp('b');
      for (const { clock } of [viaStream, viaClosures]) clock.advance(i % 7 === 0 ? 0.3 : 0.01);
    }
    for (const { clock } of [viaStream, viaClosures]) clock.advance(100);
    assert.ok(got.length > 600 && got.length < 750);
    assert.deepEqual(got, want);
  });
});
