/** Pure IPv4 CIDR arithmetic: parsing, containment and overlap. No CDK imports. */

/** A parsed IPv4 block: first address as an unsigned 32-bit number and prefix length. */
export interface Ipv4Block {
  readonly base: number;
  readonly prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses "a.b.c.d/n"; returns undefined for anything else, including host bits set. */
export function parseCidr(text: string): Ipv4Block | undefined {
  const m = CIDR.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  if (base % blockSize(prefix) !== 0) return undefined;
  return { base, prefix };
}

function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** True when `inner` lies entirely inside `outer`. */
export function contains(outer: Ipv4Block, inner: Ipv4Block): boolean {
  return inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + blockSize(inner.prefix) <= outer.base + blockSize(outer.prefix);
}

/** True when the two blocks share at least one address. */
export function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  return a.base < b.base + blockSize(b.prefix) && b.base < a.base + blockSize(a.prefix);
}

/** The first pair of overlapping CIDRs in the list, by index, or undefined. */
export function firstOverlap(cidrs: readonly string[]): [string, string] | undefined {
  const blocks = cidrs.map((c) => parseCidr(c));
  for (let i = 0; i < blocks.length; i++) {
    for (let j = i + 1; j < blocks.length; j++) {
      const a = blocks[i];
      const b = blocks[j];
      if (a && b && overlaps(a, b)) return [cidrs[i] ?? "", cidrs[j] ?? ""];
    }
  }
  return undefined;
}
