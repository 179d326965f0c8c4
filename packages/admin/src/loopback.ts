import { isIP } from 'node:net';

/**
 * Whether a host to listen on (or a peer's address) is this machine only. Used to keep
 * a token-less admin server off the network: `--insecure-local` is only for a
 * developer's own machine.
 */
export function isLoopback(hostOrAddress: string): boolean {
  const host = hostOrAddress
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost') return true;
  // An IPv4 peer seen through an IPv6 socket: ::ffff:127.0.0.1
  const address = host.startsWith('::ffff:') && isIP(host.slice(7)) === 4 ? host.slice(7) : host;
  if (isIP(address) === 4) return address.startsWith('127.');
  if (isIP(address) === 6) return address === '::1' || address === '0:0:0:0:0:0:0:1';
  return false;
}
