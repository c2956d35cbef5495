import test from "ava";
import { parseProviderId, providerIdOf } from "./provider-id.ts";
import { clampDesired, resizeToken } from "./resize-request.ts";

const providerIds: [string, string | null, ReturnType<typeof parseProviderId>][] = [
  ["an EKS node", "aws:///us-east-1a/i-0123456789abcdef0", { zone: "us-east-1a", instanceId: "i-0123456789abcdef0" }],
  ["a KWOK node without providerID", undefined as unknown as string, null],
  ["a kind node", "kind://docker/kind/kind-control-plane", null],
  ["a Fargate pod node", "aws:///us-east-1a/fargate-ip-10-0-1-2", null],
  ["an empty string", "", null],
];
for (const [title, value, expected] of providerIds) {
  test(`parseProviderId: ${title}`, (t) => t.deepEqual(parseProviderId(value), expected));
}

test("providerIdOf round-trips through parseProviderId", (t) => {
  t.deepEqual(parseProviderId(providerIdOf("eu-west-1c", "i-0abc")), { zone: "eu-west-1c", instanceId: "i-0abc" });
});

const clamps: [string, number, number][] = [
  ["inside the bounds stays", 3, 3],
  ["above the maximum is lowered to it", 9, 5],
  ["below the minimum is raised to it", 0, 1],
];
for (const [title, size, expected] of clamps) {
  test(`clampDesired: ${title}`, (t) => t.is(clampDesired(size, { minSize: 1, maxSize: 5 }), expected));
}

test("clampDesired: a negative or fractional size names the value", (t) => {
  t.throws(() => clampDesired(-1, { minSize: 0, maxSize: 5 }), { message: "desired size -1 is not allowed: it must be an integer >= 0" });
  t.throws(() => clampDesired(1.5, { minSize: 0, maxSize: 5 }), { message: "desired size 1.5 is not allowed: it must be an integer >= 0" });
});

test("resizeToken: the same decision gives the same token, another decision another one", (t) => {
  const a = resizeToken({ pool: "uid-1", group: "gpu-spot", from: 2, to: 5 });
  t.is(a, resizeToken({ pool: "uid-1", group: "gpu-spot", from: 2, to: 5 }));
  t.not(a, resizeToken({ pool: "uid-1", group: "gpu-spot", from: 5, to: 2 }));
  t.not(a, resizeToken({ pool: "uid-1", group: "gpu-od", from: 2, to: 5 }));
  t.regex(a, /^genpool-[0-9a-f]{32}$/);
});
