/**
 * Verification of an S3 presigned GET URL (SigV4 query-string authentication), written from the
 * AWS specification with node:crypto, independent of the SDK that signs the URLs. S3 runs the same
 * computation; moto does not (it only checks signatures in the Authorization header), so the
 * security tests use this to show what S3 would refuse.
 */
import { createHash, createHmac } from "node:crypto";

/** Why a presigned URL is refused, or null when S3 would accept it at `nowMs`. */
export type Refusal = "signature does not match" | "expired" | "not yet valid" | "malformed";

const hmac = (key: Buffer | string, data: string): Buffer => createHmac("sha256", key).update(data, "utf8").digest();
const sha256 = (data: string): string => createHash("sha256").update(data, "utf8").digest("hex");

/** RFC 3986 encoding as SigV4 requires (encodeURIComponent leaves !'()* alone). */
const uriEncode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** 20261126T150102Z -> ms since the epoch. */
function amzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return Number.NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** The signature S3 computes for this URL with `secretAccessKey`. */
export function expectedSignature(url: URL, secretAccessKey: string): string {
  const params = [...url.searchParams].filter(([k]) => k !== "X-Amz-Signature");
  const canonicalQuery = params
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const signedHeaders = url.searchParams.get("X-Amz-SignedHeaders") ?? "";
  if (signedHeaders !== "host") throw new Error(`presigned URL signs headers ${JSON.stringify(signedHeaders)}; this verifier handles "host" only`);
  // The path as sent, already URI-encoded by the signer (S3 does not normalize or double-encode it).
  const canonicalRequest = ["GET", url.pathname, canonicalQuery, `host:${url.host}\n`, signedHeaders, "UNSIGNED-PAYLOAD"].join("\n");
  const date = url.searchParams.get("X-Amz-Date") ?? "";
  const scope = (url.searchParams.get("X-Amz-Credential") ?? "").split("/").slice(1).join("/");
  const [day = "", region = "", service = ""] = scope.split("/");
  const stringToSign = ["AWS4-HMAC-SHA256", date, scope, sha256(canonicalRequest)].join("\n");
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), service), "aws4_request");
  return createHmac("sha256", signingKey).update(stringToSign, "utf8").digest("hex");
}

/** What S3 answers a presigned GET of `url` at `nowMs`: null (served) or the reason for a 403. */
export function refusal(url: URL, secretAccessKey: string, nowMs: number): Refusal | null {
  const date = amzDate(url.searchParams.get("X-Amz-Date") ?? "");
  const expires = Number(url.searchParams.get("X-Amz-Expires"));
  if (url.searchParams.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256" || Number.isNaN(date) || !Number.isInteger(expires) || expires < 1 || expires > 604_800) {
    return "malformed";
  }
  if (expectedSignature(url, secretAccessKey) !== url.searchParams.get("X-Amz-Signature")) return "signature does not match";
  if (nowMs < date - 15 * 60_000) return "not yet valid";
  if (nowMs > date + expires * 1000) return "expired";
  return null;
}
