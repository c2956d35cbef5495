/**
 * The sandbox's PKI, made with openssl: a CA, the API server's serving certificate, client
 * certificates (admin in `system:masters`, controller-manager and scheduler under their built-in
 * RBAC identities) and the ServiceAccount token signing key pair.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A certificate and its key, as file paths. */
export interface CertFiles {
  cert: string;
  key: string;
}

/** Paths of everything certs.ts writes under `<state>/pki`. */
export interface Pki {
  dir: string;
  ca: CertFiles;
  apiserver: CertFiles;
  admin: CertFiles;
  controllerManager: CertFiles;
  scheduler: CertFiles;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

/** In-cluster names and IPs the serving certificate must cover, besides loopback. */
const serverNames = ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"];
/** First address of the sandbox's `--service-cluster-ip-range` (the `kubernetes` Service). */
export const kubernetesServiceIp = "10.96.0.1";

function opensslConfig(): string {
  const dns = serverNames.map((name, i) => `DNS.${i + 1} = ${name}`).join("\n");
  return `[req]
distinguished_name = req_dn
[req_dn]
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = @alt
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
[alt]
${dns}
IP.1 = 127.0.0.1
IP.2 = ${kubernetesServiceIp}
`;
}

const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** Creates the PKI in `<state>/pki`. */
export async function createPki(state: string): Promise<Pki> {
  const dir = join(state, "pki");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const config = join(dir, "openssl.cnf");
  writeFileSync(config, opensslConfig());
  const files = (name: string): CertFiles => ({ cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) });
  const pki: Pki = {
    dir,
    ca: files("ca"),
    apiserver: files("apiserver"),
    admin: files("admin"),
    controllerManager: files("controller-manager"),
    scheduler: files("scheduler"),
    serviceAccountKey: join(dir, "sa.key"),
    serviceAccountPub: join(dir, "sa.pub"),
  };
  await run("openssl", ["req", "-config", config, "-x509", ...ecKey, "-keyout", pki.ca.key, "-out", pki.ca.cert,
    "-days", "3650", "-subj", "/CN=genpool-sandbox-ca", "-extensions", "ca_ext"]);
  const leaf = (files: CertFiles, subject: string, extensions: string): Promise<void> =>
    signLeaf({ config, ca: pki.ca, files, subject, extensions });
  await Promise.all([
    leaf(pki.apiserver, "/CN=kube-apiserver", "server_ext"),
    leaf(pki.admin, "/O=system:masters/CN=genpool-sandbox-admin", "client_ext"),
    leaf(pki.controllerManager, "/CN=system:kube-controller-manager", "client_ext"),
    leaf(pki.scheduler, "/CN=system:kube-scheduler", "client_ext"),
    run("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", pki.serviceAccountKey])
      .then(() => run("openssl", ["pkey", "-in", pki.serviceAccountKey, "-pubout", "-out", pki.serviceAccountPub])),
  ]);
  return pki;
}

interface LeafRequest {
  config: string;
  ca: CertFiles;
  files: CertFiles;
  subject: string;
  extensions: string;
}

async function signLeaf(request: LeafRequest): Promise<void> {
  const csr = `${request.files.cert}.csr`;
  await run("openssl", ["req", "-config", request.config, "-new", ...ecKey, "-keyout", request.files.key, "-out", csr, "-subj", request.subject]);
  await run("openssl", ["x509", "-req", "-in", csr, "-CA", request.ca.cert, "-CAkey", request.ca.key,
    "-set_serial", `0x${randomBytes(16).toString("hex")}`, "-days", "365", "-out", request.files.cert,
    "-extfile", request.config, "-extensions", request.extensions]);
}
