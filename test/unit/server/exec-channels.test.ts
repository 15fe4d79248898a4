import { strict as assert } from 'node:assert';
import { CHANNEL, chooseProtocol, decodeClientMessage, execFlags, frame, offeredProtocols, statusFrame, STREAM_PROTOCOL_V4, STREAM_PROTOCOL_V5 } from '../../../src/server/exec';

describe('server/exec: the WebSocket channel protocol', () => {
  it('answers v5.channel.k8s.io when offered (kubectl 1.32 offers only it), v4 otherwise, nothing for the older ones', () => {
    assert.equal(chooseProtocol([STREAM_PROTOCOL_V5]), STREAM_PROTOCOL_V5);
    assert.equal(chooseProtocol([STREAM_PROTOCOL_V4, STREAM_PROTOCOL_V5]), STREAM_PROTOCOL_V5);
    assert.equal(chooseProtocol([STREAM_PROTOCOL_V4]), STREAM_PROTOCOL_V4);
    assert.equal(chooseProtocol(['channel.k8s.io', 'base64.channel.k8s.io', 'v3.channel.k8s.io']), undefined);
    assert.deepEqual(offeredProtocols('v5.channel.k8s.io, v4.channel.k8s.io'), [STREAM_PROTOCOL_V5, STREAM_PROTOCOL_V4]);
    assert.deepEqual(offeredProtocols(undefined), []);
  });

  it('reads stdin, resize and (v5 only) CLOSE messages by their first byte', () => {
    assert.deepEqual(decodeClientMessage(Buffer.from([0, 104, 105]), STREAM_PROTOCOL_V5), { type: 'stdin', data: Buffer.from('hi') });
    assert.deepEqual(decodeClientMessage(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":120,"Height":40}')]), STREAM_PROTOCOL_V5), { type: 'resize', width: 120, height: 40 });
    assert.deepEqual(decodeClientMessage(Buffer.from([255, 0]), STREAM_PROTOCOL_V5), { type: 'close', channel: 0 });
    assert.equal(decodeClientMessage(Buffer.from([255, 0]), STREAM_PROTOCOL_V4).type, 'ignore');
    assert.equal(decodeClientMessage(Buffer.from([4, 123]), STREAM_PROTOCOL_V5).type, 'ignore');
    assert.equal(decodeClientMessage(Buffer.from([7, 1]), STREAM_PROTOCOL_V5).type, 'ignore');
    assert.equal(decodeClientMessage(Buffer.alloc(0), STREAM_PROTOCOL_V5).type, 'ignore');
  });

  it('prefixes output with its channel and writes the final Status as JSON on channel 3', () => {
    assert.deepEqual([...frame(CHANNEL.stdout, 'é')], [1, 0xc3, 0xa9]);
    const status = statusFrame({ metadata: {}, status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
    assert.equal(status[0], 3);
    assert.deepEqual(JSON.parse(status.subarray(1).toString()), { metadata: {}, status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
  });

  it('takes the command and the streams from the query as kubectl sends them', () => {
    const url = new URL('https://127.0.0.1/api/v1/namespaces/default/pods/web/exec?command=sh&command=-c&command=echo+hi&container=web&stdin=true&stdout=true&tty=true');
    assert.deepEqual(execFlags(url), { command: ['sh', '-c', 'echo hi'], stdin: true, stdout: true, stderr: false, tty: true });
  });
});
