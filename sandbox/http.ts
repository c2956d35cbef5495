/** A small HTTP(S) GET for readiness probes, with client certificates when the target wants them. */
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

/** TLS material for a probe; `insecure` is only for components that serve a self-signed certificate. */
export interface ProbeTls {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  insecure?: boolean;
}

/** The answer of a probe. */
export interface ProbeResponse {
  status: number;
  body: string;
}

/** GETs `url` with a 2 s timeout. */
export function get(url: string, tls: ProbeTls = {}): Promise<ProbeResponse> {
  const secure = url.startsWith("https:");
  const options = secure
    ? {
        ca: tls.caFile ? readFileSync(tls.caFile) : undefined,
        cert: tls.certFile ? readFileSync(tls.certFile) : undefined,
        key: tls.keyFile ? readFileSync(tls.keyFile) : undefined,
        rejectUnauthorized: !tls.insecure,
        timeout: 2000,
      }
    : { timeout: 2000 };
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(url, options, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/** Resolves `true` when GET `url` answers 200, otherwise undefined (for waitFor). */
export async function answers200(url: string, tls: ProbeTls = {}): Promise<true | undefined> {
  const res = await get(url, tls);
  if (res.status === 200) return true;
  throw new Error(`GET ${url} answered ${res.status}: ${res.body.slice(0, 300)}`);
}
