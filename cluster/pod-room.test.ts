// Pod-address room of the private-app subnets under VPC CNI prefix delegation: the arithmetic
// behind the synth warning and docs/CLUSTER.md ("Room for pods").
import test from "ava";
import { nodesInSubnets, nodesPerSubnet } from "./network/pod-room.ts";

const rooms: Array<[number, number, number, { worst: number; best: number }, string]> = [
  [24, 2, 3, { worst: 3, best: 7 }, "the design's /24 with one warm /28 per node and three other ENIs"],
  [24, 2, 0, { worst: 4, best: 7 }, "the /24 with nothing else in it"],
  [24, 1, 3, { worst: 5, best: 14 }, "one /28 per node doubles the best case"],
  [20, 2, 3, { worst: 83, best: 123 }, "a /20: 254 whole /28s; primaries overflow the spoiled blocks from 24 nodes on"],
  [26, 1, 0, { worst: 1, best: 2 }, "a /26: two whole /28s"],
  [27, 1, 0, { worst: 0, best: 0 }, "a /27: both /28s hold reserved addresses"],
  [28, 1, 0, { worst: 0, best: 0 }, "a /28 is one reserved block"],
  [24, 2, 40, { worst: 0, best: 6 }, "many other ENIs: at worst they spoil every block, at best they fill two more"],
];
for (const [len, prefixesPerNode, otherAddresses, expected, why] of rooms) {
  test(`nodesPerSubnet(/${len}, ${prefixesPerNode} prefixes, ${otherAddresses} other): ${why}`, (t) => {
    t.deepEqual(nodesPerSubnet(len, { prefixesPerNode, otherAddresses }), expected);
  });
}

test("nodesInSubnets adds the room of every subnet", (t) => {
  t.deepEqual(nodesInSubnets([24, 24], { prefixesPerNode: 2, otherAddresses: 3 }), { worst: 6, best: 14 });
  t.deepEqual(nodesInSubnets([], { prefixesPerNode: 2, otherAddresses: 3 }), { worst: 0, best: 0 });
});

const bad: Array<[number, number, number, RegExp]> = [
  [29, 1, 0, /subnetPrefixLength is 29; allowed: an integer from 16 to 28/],
  [15, 1, 0, /subnetPrefixLength is 15; allowed: an integer from 16 to 28/],
  [24.5, 1, 0, /subnetPrefixLength is 24.5/],
  [24, 0, 0, /prefixesPerNode is 0; allowed: an integer of at least 1/],
  [24, 1, -1, /otherAddresses is -1; allowed: an integer of at least 0/],
];
for (const [len, prefixesPerNode, otherAddresses, message] of bad) {
  test(`nodesPerSubnet rejects /${len}, ${prefixesPerNode} prefixes, ${otherAddresses} other addresses`, (t) => {
    t.throws(() => nodesPerSubnet(len, { prefixesPerNode, otherAddresses }), { instanceOf: RangeError, message });
  });
}
