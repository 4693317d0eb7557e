import { experimental } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../shared/errors';
import { parseHostPort } from '../../../shared/wire';

describe('parseHostPort: an address that can never be dialed is bad input', () => {
  it.each([
    ['127.0.0.1:7070', '127.0.0.1', 7070],
    ['localhost:1', 'localhost', 1],
    ['coda-master:7070', 'coda-master', 7070],
    ['coda-worker-3.coda-worker.default.svc.cluster.local.:7070', 'coda-worker-3.coda-worker.default.svc.cluster.local.', 7070],
    ['coda_master_1:65535', 'coda_master_1', 65535],
    ['[::1]:7070', '::1', 7070],
    ['[fd00::5]:80', 'fd00::5', 80],
  ])('accepts %s', (address, host, port) => {
    expect(parseHostPort(address, '--master')).toEqual({ host, port });
    // What Coda accepts, grpc-js's own DNS target parser accepts too.
    expect(experimental.splitHostPort(address)).toEqual({ host, port });
  });

  it.each([
    ['nohost:notaport', /port 'notaport' is not a number in 1\.\.65535/],
    ['master', /no port/],
    ['master:', /port '' is not a number/],
    ['master:0', /port '0' is not a number in 1\.\.65535/],
    ['master:65536', /port '65536'/],
    ['master:70 70', /port '70 70'/],
    [':7070', /no host/],
    ['a b:7070', /'a b' is neither a DNS name nor an IP address/],
    ['http://master:7070', /neither a DNS name/],
    ['-master:7070', /neither a DNS name/],
    ['999.1.1.1:7070', /neither a DNS name/],
    ['::1', /IPv6 address needs brackets and a port: \[::1\]:PORT/],
    ['[::1]', /no port/],
    ['[master]:7070', /\[master\] is not an IPv6 address/],
  ])('refuses %s, naming it', (address, says) => {
    expect(() => parseHostPort(address, '--master')).toThrow(InputError);
    expect(() => parseHostPort(address, '--master')).toThrow(says);
    expect(() => parseHostPort(address, '--master')).toThrow(new RegExp(`^--master ${JSON.stringify(address).replace(/[[\]().*+?^$|\\]/g, '\\$&')}: not a host:port address \\(`));
  });
});
