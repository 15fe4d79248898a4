import { strict as assert } from 'node:assert';
import { X509Certificate } from 'node:crypto';
import { derInteger, selfSignedCertificate } from '../../../src/server/tls';

describe('server/tls', () => {
  it('encodes DER integers minimally and positive', () => {
    assert.equal(derInteger(Buffer.from([5])).toString('hex'), '020105');
    assert.equal(derInteger(Buffer.from([0, 0, 5])).toString('hex'), '020105');
    assert.equal(derInteger(Buffer.from([0x80])).toString('hex'), '02020080');
    assert.equal(derInteger(Buffer.from([0, 0x80, 1])).toString('hex'), '0203008001');
    assert.equal(derInteger(Buffer.from([0, 0])).toString('hex'), '020100');
  });

  it('makes a certificate that parses whatever the serial (regression: a serial starting 00 0x was padded illegally)', () => {
    for (const first of [[0x00, 0x12], [0x00, 0x00], [0x00, 0x9a], [0x7f, 0xff], [0xff, 0x01]]) {
      const serial = Buffer.alloc(16, 0x33);
      serial[0] = first[0];
      serial[1] = first[1];
      const { cert } = selfSignedCertificate(1, new Date(Date.UTC(2026, 10, 27)), serial);
      const x509 = new X509Certificate(cert);
      assert.match(x509.subjectAltName ?? '', /DNS:localhost/);
      assert.match(x509.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    }
  });
});
