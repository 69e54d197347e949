/** Minimal, strict IPv4 arithmetic for validation. Addresses are unsigned 32-bit numbers. */

export interface Ipv4Cidr {
  readonly network: number;
  readonly prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Four decimal octets, no leading zeros (which some tools read as octal). */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses "a.b.c.d/n". `hostBits` is set when bits beyond the prefix are not zero. */
export function parseCidr(text: string): (Ipv4Cidr & { readonly hostBits: boolean }) | undefined {
  const match = /^([^/]+)\/(3[0-2]|[12]?\d)$/.exec(text);
  if (!match) return undefined;
  const address = parseIpv4(match[1]);
  if (address === undefined) return undefined;
  const prefix = Number(match[2]);
  const network = (address & mask(prefix)) >>> 0;
  return { network, prefix, hostBits: network !== address };
}

export function formatCidr(cidr: Ipv4Cidr): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefix}`;
}

export function cidrContains(cidr: Ipv4Cidr, address: number): boolean {
  return ((address & mask(cidr.prefix)) >>> 0) === cidr.network;
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const shorter = Math.min(a.prefix, b.prefix);
  return ((a.network & mask(shorter)) >>> 0) === ((b.network & mask(shorter)) >>> 0);
}

export function broadcastAddress(cidr: Ipv4Cidr): number {
  return (cidr.network | (~mask(cidr.prefix) >>> 0)) >>> 0;
}
