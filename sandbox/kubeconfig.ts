/** Kubeconfig files for the sandbox's API server: TLS verified against the sandbox CA, client certificates embedded. */
import { readFileSync, writeFileSync } from "node:fs";
import { stringify } from "yaml";
import type { CertFiles } from "./certs.ts";

/** What a kubeconfig is made of. */
export interface KubeconfigSpec {
  server: string;
  caCert: string;
  client: CertFiles;
  user: string;
}

const base64File = (path: string): string => readFileSync(path).toString("base64");

/** Writes a self-contained kubeconfig (context and cluster named `genpool-sandbox`). */
export function writeKubeconfig(path: string, spec: KubeconfigSpec): void {
  const name = "genpool-sandbox";
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: spec.server, "certificate-authority-data": base64File(spec.caCert) } }],
    users: [{
      name: spec.user,
      user: { "client-certificate-data": base64File(spec.client.cert), "client-key-data": base64File(spec.client.key) },
    }],
    contexts: [{ name, context: { cluster: name, user: spec.user } }],
    "current-context": name,
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
}
