import { CoordinationV1Api, type KubeConfig, type V1Lease } from "@kubernetes/client-node";
import { httpStatus, microTime } from "./client.ts";

/** A Lease as leader election reads it. */
export interface LeaseRecord {
  holder: string;
  leaseDurationSeconds: number;
  transitions: number;
  resourceVersion: string;
}

/** What leader election writes. */
export interface LeaseWrite {
  holder: string;
  leaseDurationSeconds: number;
  transitions: number;
  /** ms epoch; acquireTime is set when the holder changes. */
  now: number;
  acquired: boolean;
}

/** Lost an optimistic-concurrency race: someone else wrote the Lease first. */
export class LeaseConflictError extends Error {
  override readonly name = "LeaseConflictError";
}

function toRecord(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  return {
    holder: spec.holderIdentity ?? "",
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    transitions: spec.leaseTransitions ?? 0,
    resourceVersion: lease.metadata?.resourceVersion ?? "",
  };
}

/** Reads and writes one coordination.k8s.io/v1 Lease with resourceVersion preconditions. */
export class LeaseClient {
  private readonly api: CoordinationV1Api;
  constructor(kc: KubeConfig, readonly namespace: string, readonly name: string) {
    this.api = kc.makeApiClient(CoordinationV1Api);
  }

  async read(): Promise<LeaseRecord | undefined> {
    try {
      return toRecord(await this.api.readNamespacedLease({ namespace: this.namespace, name: this.name }));
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw err;
    }
  }

  /** Creates the Lease (previous undefined) or replaces it at `previous.resourceVersion`. */
  async write(previous: LeaseRecord | undefined, w: LeaseWrite): Promise<LeaseRecord> {
    const time = microTime(w.now) as unknown as Date;
    const body: V1Lease = {
      metadata: { name: this.name, namespace: this.namespace, ...(previous ? { resourceVersion: previous.resourceVersion } : {}) },
      spec: {
        holderIdentity: w.holder,
        leaseDurationSeconds: w.leaseDurationSeconds,
        leaseTransitions: w.transitions,
        renewTime: time,
        ...(w.acquired ? { acquireTime: time } : {}),
      },
    };
    try {
      const out = previous
        ? await this.api.replaceNamespacedLease({ namespace: this.namespace, name: this.name, body })
        : await this.api.createNamespacedLease({ namespace: this.namespace, body });
      return { holder: w.holder, leaseDurationSeconds: w.leaseDurationSeconds, transitions: w.transitions, resourceVersion: out.metadata?.resourceVersion ?? "" };
    } catch (err) {
      const status = httpStatus(err);
      if (status === 409) throw new LeaseConflictError(`Lease ${this.namespace}/${this.name} changed concurrently`);
      throw err;
    }
  }
}
