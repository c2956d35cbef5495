/**
 * The Kubernetes control plane of a sandbox: etcd, kube-apiserver, kube-controller-manager and
 * kube-scheduler from the pinned binaries, on loopback ports chosen by the caller.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { kubernetesServiceIp, type Pki } from "./certs.ts";
import { answers200, get } from "./http.ts";
import { writeKubeconfig } from "./kubeconfig.ts";
import { startProcess, type StartedProcess } from "./processes.ts";
import { waitFor } from "./wait.ts";

/** Ports of the control plane. */
export interface KubePorts {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
}

/** Where things are and which ports to use. */
export interface KubeSetup {
  state: string;
  bin: string;
  pki: Pki;
  ports: KubePorts;
}

/** The running API server: its URL and the admin kubeconfig. */
export interface ApiServer {
  url: string;
  kubeconfig: string;
  processes: StartedProcess[];
}

/** The range the `kubernetes` Service address belongs to. */
const serviceClusterIpRange = `${kubernetesServiceIp.split(".").slice(0, 2).join(".")}.0.0/16`;

/** Starts etcd and kube-apiserver, waits for /readyz and writes `<state>/kubeconfig` (admin). */
export async function startApiServer(setup: KubeSetup): Promise<ApiServer> {
  const { state, bin, pki, ports } = setup;
  const etcdDir = join(state, "etcd");
  mkdirSync(etcdDir, { recursive: true, mode: 0o700 });
  const etcdUrl = `http://127.0.0.1:${ports.etcdClient}`;
  const peerUrl = `http://127.0.0.1:${ports.etcdPeer}`;
  const etcd = startProcess(state, {
    name: "etcd",
    command: join(bin, "etcd"),
    args: [
      "--name=sandbox", `--data-dir=${etcdDir}`,
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=sandbox=${peerUrl}`,
      // Test data is disposable: skipping fsync makes every write far cheaper.
      "--unsafe-no-fsync=true", "--log-level=warn",
    ],
    stopStage: 2,
  });
  const url = `https://127.0.0.1:${ports.apiserver}`;
  // The API server retries etcd, so both start at once.
  const apiserver = startProcess(state, {
    name: "kube-apiserver",
    command: join(bin, "kube-apiserver"),
    args: [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", `--secure-port=${ports.apiserver}`,
      `--tls-cert-file=${pki.apiserver.cert}`, `--tls-private-key-file=${pki.apiserver.key}`,
      `--client-ca-file=${pki.ca.cert}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      `--service-cluster-ip-range=${serviceClusterIpRange}`,
      "--authorization-mode=Node,RBAC",
      // No kubelets and one API server: nothing should maintain the `kubernetes` Endpoints.
      "--endpoint-reconciler-type=none",
      // Privileged pods must be refused by Pod Security admission, not by this global switch.
      "--allow-privileged=true",
      "--profiling=false",
    ],
    stopStage: 1,
  });
  const kubeconfig = join(state, "kubeconfig");
  writeKubeconfig(kubeconfig, { server: url, caCert: pki.ca.cert, client: pki.admin, user: "genpool-sandbox-admin" });
  const tls = { caFile: pki.ca.cert, certFile: pki.admin.cert, keyFile: pki.admin.key };
  await waitFor(() => answers200(`${url}/readyz`, tls), {
    what: "kube-apiserver /readyz",
    timeoutMs: 90_000,
    abortIf: () => { etcd.assertAlive(); apiserver.assertAlive(); },
  });
  return { url, kubeconfig, processes: [etcd, apiserver] };
}

/** Starts kube-controller-manager and kube-scheduler and waits until both are healthy and ServiceAccounts work. */
export async function startControllers(setup: KubeSetup, api: ApiServer): Promise<StartedProcess[]> {
  const { state, bin, pki, ports } = setup;
  const kcmConfig = join(state, "controller-manager.kubeconfig");
  const schedulerConfig = join(state, "scheduler.kubeconfig");
  writeKubeconfig(kcmConfig, { server: api.url, caCert: pki.ca.cert, client: pki.controllerManager, user: "system:kube-controller-manager" });
  writeKubeconfig(schedulerConfig, { server: api.url, caCert: pki.ca.cert, client: pki.scheduler, user: "system:kube-scheduler" });
  const controllerManager = startProcess(state, {
    name: "kube-controller-manager",
    command: join(bin, "kube-controller-manager"),
    args: [
      `--kubeconfig=${kcmConfig}`, "--leader-elect=false",
      "--bind-address=127.0.0.1", `--secure-port=${ports.controllerManager}`,
      `--service-account-private-key-file=${pki.serviceAccountKey}`, `--root-ca-file=${pki.ca.cert}`,
      "--use-service-account-credentials=true",
      `--cluster-signing-cert-file=${pki.ca.cert}`, `--cluster-signing-key-file=${pki.ca.key}`,
      `--service-cluster-ip-range=${serviceClusterIpRange}`,
    ],
  });
  const scheduler = startProcess(state, {
    name: "kube-scheduler",
    command: join(bin, "kube-scheduler"),
    args: [`--kubeconfig=${schedulerConfig}`, "--leader-elect=false", "--bind-address=127.0.0.1", `--secure-port=${ports.scheduler}`],
  });
  const abortIf = (): void => { controllerManager.assertAlive(); scheduler.assertAlive(); };
  // Both serve /healthz with a self-signed certificate they generate; only liveness is read there.
  await Promise.all([
    waitFor(() => answers200(`https://127.0.0.1:${ports.controllerManager}/healthz`, { insecure: true }), { what: "kube-controller-manager /healthz", abortIf }),
    waitFor(() => answers200(`https://127.0.0.1:${ports.scheduler}/healthz`, { insecure: true }), { what: "kube-scheduler /healthz", abortIf }),
  ]);
  // The `default` ServiceAccount appears once the controllers run: pods can be created from then on.
  const tls = { caFile: pki.ca.cert, certFile: pki.admin.cert, keyFile: pki.admin.key };
  await waitFor(async () => ((await get(`${api.url}/api/v1/namespaces/default/serviceaccounts/default`, tls)).status === 200 ? true : undefined), {
    what: "the default ServiceAccount (kube-controller-manager running)",
    abortIf,
  });
  return [controllerManager, scheduler];
}
