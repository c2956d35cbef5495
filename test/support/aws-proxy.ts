/**
 * A loopback HTTP proxy in front of the sandbox's moto server, for tests that must see or shape
 * the AWS traffic itself: count the requests an adapter makes (caching), or answer some with
 * AWS's own errors (throttling, S3 unavailable) so the SDK's real retry path runs. Everything
 * else reaches moto unchanged, bodies byte for byte.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request seen by the proxy. */
export interface SeenRequest {
  method: string;
  path: string;
  /** EC2 / Auto Scaling query `Action`, or "" for REST calls (EKS, S3). */
  action: string;
  /** The body as UTF-8 text (binary bodies such as S3 objects are forwarded as they came). */
  body: string;
}

/** A canned answer instead of forwarding. */
export interface CannedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Decides per request: undefined forwards to moto; a CannedResponse answers instead of moto;
 * "lose-answer" forwards to moto (which carries the request out) and then cuts the client's
 * connection instead of passing the answer back, as a network failure after the fact would.
 */
export type Interceptor = (request: SeenRequest) => CannedResponse | "lose-answer" | undefined;

/** A running proxy. */
export interface AwsProxy {
  endpoint: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** The error EKS (REST-JSON) sends when it throttles a caller. */
export const eksThrottling: CannedResponse = {
  status: 429,
  headers: { "content-type": "application/json", "x-amzn-errortype": "ThrottlingException" },
  body: JSON.stringify({ message: "Rate exceeded" }),
};

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c)).on("end", () => resolve(Buffer.concat(chunks))).on("error", reject);
  });
}

/** The error S3 sends when it cannot serve a request for now (retried by the SDK). */
export const s3Unavailable: CannedResponse = {
  status: 503,
  headers: { "content-type": "application/xml" },
  body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ServiceUnavailable</Code><Message>Service is unable to handle request.</Message></Error>',
};

/** Starts a proxy to `target` (moto's URL) on a free loopback port. */
export async function startAwsProxy(target: string, intercept: Interceptor = () => undefined): Promise<AwsProxy> {
  const upstream = new URL(target);
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const body = raw.toString("utf8");
      const action = new URLSearchParams(body).get("Action") ?? "";
      const request = { method: req.method ?? "GET", path: req.url ?? "/", action, body };
      seen.push(request);
      const decision = intercept(request);
      if (decision !== undefined && decision !== "lose-answer") {
        res.writeHead(decision.status, decision.headers).end(decision.body);
        return;
      }
      const headers = { ...req.headers, host: upstream.host };
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (up) => {
        if (decision === "lose-answer") {
          up.resume();
          up.on("end", () => res.socket?.destroy());
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      forward.on("error", (error) => res.writeHead(502).end(String(error)));
      forward.end(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
