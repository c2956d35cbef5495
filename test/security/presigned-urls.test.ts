// Presigned image URLs: scoped to exactly one key and valid PRESIGN_SECONDS (3600).
//
// What moto checks and what it does not: moto (5.2.5, the sandbox's pin) verifies SigV4 only from
// the Authorization header and only once INITIAL_NO_AUTH_ACTION_COUNT requests have passed
// (moto/core/authorization.py, moto/iam/access_control.py); a presigned GET carries its signature
// in the query string, and moto's S3 handler only compares its content-* parameters with the
// request headers. So moto serves an edited or expired presigned URL. Against moto this test checks
// what is real there (the URL fetches exactly the image's bytes, the path is the image's key); the
// refusals S3 would answer are checked with an independent SigV4 verification (sigv4.ts) that must
// also accept the untouched URL, so it computes what S3 computes.
import test from "ava";
import { token } from "../../api/test-support.ts";
import { imageKey } from "../../worker/job/keys.ts";
import { refusal } from "./sigv4.ts";
import { seedCompleted, startApi, VALID_REQUEST, type Api } from "./support.ts";

const secret = (): string => {
  const value = process.env.AWS_SECRET_ACCESS_KEY;
  if (!value) throw new Error("AWS_SECRET_ACCESS_KEY is not set: run through `npm test` (the sandbox's moto credentials)");
  return value;
};

async function presignedUrl(api: Api, user: string, imageName: string): Promise<{ url: URL; expiresAt: number; cacheControl: string | null }> {
  const res = await fetch(`${api.url}/api/v1/images/${imageName}/url`, { headers: { authorization: `Bearer ${await token(user)}` } });
  if (res.status !== 200) throw new Error(`GET url of ${imageName} as ${user}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { url: string; expiresAt: string };
  return { url: new URL(body.url), expiresAt: Date.parse(body.expiresAt), cacheControl: res.headers.get("cache-control") };
}

/** The URL with its object key (the path after the bucket) replaced. */
function withKey(url: URL, bucket: string, key: string): URL {
  const edited = new URL(url);
  edited.pathname = `/${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;
  return edited;
}

const signedAt = (url: URL): number => {
  const d = url.searchParams.get("X-Amz-Date") ?? "";
  return Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +d.slice(9, 11), +d.slice(11, 13), +d.slice(13, 15));
};

test("[integration] a presigned URL names exactly the image's key, fetches its bytes, and any edit of the key or the expiry breaks its signature", async (t) => {
  const api = await startApi(t);
  const bucket = api.world.env.S3_BUCKET;
  const mine = await seedCompleted(api, "alice");
  const another = await seedCompleted(api, "alice", { ...VALID_REQUEST, seed: 7, category: "other" });
  const bobs = await seedCompleted(api, "bob");
  const { url, cacheControl } = await presignedUrl(api, "alice", mine.imageName);

  // Scope: path-style (the sandbox's endpoint) /<bucket>/<the image's key>, nothing wider.
  t.is(decodeURIComponent(url.pathname), `/${bucket}/${imageKey("alice", mine.category, mine.imageName)}`);
  t.is(mine.s3Key, imageKey("alice", mine.category, mine.imageName));
  t.is(url.searchParams.get("X-Amz-Algorithm"), "AWS4-HMAC-SHA256");
  t.is(url.searchParams.get("X-Amz-SignedHeaders"), "host");
  t.is(url.searchParams.get("x-id"), "GetObject");
  t.is(cacheControl, "no-store");

  // Real against moto: the URL serves exactly this image's object.
  const served = await fetch(url);
  t.is(served.status, 200);
  t.is(await served.text(), `png bytes of ${mine.imageName}`);

  // What S3 computes: the untouched URL verifies (so the verifier agrees with the signer) ...
  const now = Date.now();
  t.is(refusal(url, secret(), now), null);
  // ... and editing the key, to the user's other image or to another user's, breaks the signature.
  for (const key of [another.s3Key, bobs.s3Key, `users/alice/images/${mine.category}/`, `${mine.s3Key}x`]) {
    t.is(refusal(withKey(url, bucket, key), secret(), now), "signature does not match", key);
  }
  const longer = new URL(url);
  longer.searchParams.set("X-Amz-Expires", "604800");
  t.is(refusal(longer, secret(), now), "signature does not match", "a longer X-Amz-Expires");
  const otherBucket = new URL(url);
  otherBucket.pathname = url.pathname.replace(`/${bucket}/`, "/another-bucket/");
  t.is(refusal(otherBucket, secret(), now), "signature does not match", "another bucket");

  // moto's answer to the edited URL, for the record (it does not verify query-string signatures).
  const motoEdited = await fetch(withKey(url, bucket, another.s3Key));
  t.log(`moto answers ${motoEdited.status} to the URL edited to another key; S3 answers 403 SignatureDoesNotMatch`);
});

test("[integration] a presigned URL expires PRESIGN_SECONDS (3600) after signing, and expiresAt says when", async (t) => {
  const api = await startApi(t);
  const image = await seedCompleted(api, "alice");
  const before = Date.now();
  const { url, expiresAt } = await presignedUrl(api, "alice", image.imageName);
  const signed = signedAt(url);

  t.is(url.searchParams.get("X-Amz-Expires"), "3600");
  t.true(signed >= Math.floor(before / 1000) * 1000 - 1000 && signed <= Date.now(), `X-Amz-Date ${url.searchParams.get("X-Amz-Date")} is the time of the request`);
  t.true(Math.abs(expiresAt - (signed + 3600_000)) <= 2000, `expiresAt ${new Date(expiresAt).toISOString()} is X-Amz-Date + 3600 s`);
  t.is(refusal(url, secret(), signed + 3599_000), null, "valid until the last second");
  t.is(refusal(url, secret(), signed + 3601_000), "expired", "refused after 3600 s");
});

test("[integration] PRESIGN_SECONDS sets X-Amz-Expires", async (t) => {
  const api = await startApi(t, {}, { PRESIGN_SECONDS: 60 });
  const image = await seedCompleted(api, "alice");
  const { url } = await presignedUrl(api, "alice", image.imageName);
  t.is(url.searchParams.get("X-Amz-Expires"), "60");
  t.is(refusal(url, secret(), signedAt(url) + 61_000), "expired");
  t.is(refusal(url, secret(), Date.now()), null);
});
