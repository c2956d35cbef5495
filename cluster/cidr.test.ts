// CIDR arithmetic behind the VPC plan validation.
import test from "ava";
import { contains, firstOverlap, parseCidr } from "./network/cidr.ts";

const parse: Array<[string, { base: number; prefix: number } | undefined, string]> = [
  ["10.0.0.0/16", { base: 0x0a000000, prefix: 16 }, "the design's VPC"],
  ["10.0.11.0/24", { base: 0x0a000b00, prefix: 24 }, "a subnet"],
  ["0.0.0.0/0", { base: 0, prefix: 0 }, "the internet"],
  ["10.0.0.1/16", undefined, "host bits set"],
  ["10.0.0.0", undefined, "no prefix"],
  ["10.0.256.0/24", undefined, "octet above 255"],
  ["10.0.0.0/33", undefined, "prefix above 32"],
  ["fd00::/8", undefined, "IPv6 is not accepted here"],
];
for (const [text, expected, why] of parse) test(`parseCidr ${text}: ${why}`, (t) => t.deepEqual(parseCidr(text), expected));

const within: Array<[string, string, boolean]> = [
  ["10.0.0.0/16", "10.0.21.0/24", true],
  ["10.0.0.0/16", "10.1.0.0/24", false],
  ["10.0.0.0/16", "10.0.0.0/8", false],
  ["10.0.0.0/16", "10.0.0.0/16", true],
];
for (const [outer, inner, expected] of within) {
  test(`contains(${outer}, ${inner}) is ${String(expected)}`, (t) => t.is(contains(parseCidr(outer)!, parseCidr(inner)!), expected));
}

const overlap: Array<[string[], [string, string] | undefined, string]> = [
  [["10.0.1.0/24", "10.0.2.0/24", "10.0.11.0/24"], undefined, "the design's plan is disjoint"],
  [["10.0.1.0/24", "10.0.1.128/25"], ["10.0.1.0/24", "10.0.1.128/25"], "a block inside another"],
  [["10.0.0.0/23", "10.0.1.0/24"], ["10.0.0.0/23", "10.0.1.0/24"], "upper half shared"],
  [["10.0.1.0/24", "10.0.2.0/24", "10.0.2.0/24"], ["10.0.2.0/24", "10.0.2.0/24"], "the same block twice"],
];
for (const [cidrs, expected, why] of overlap) test(`firstOverlap: ${why}`, (t) => t.deepEqual(firstOverlap(cidrs), expected));
