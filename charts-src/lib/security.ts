import type { k8s } from "cdk8s-plus-27";

/**
 * Pod-level settings the Pod Security "restricted" profile requires, plus a fixed uid/gid so
 * files written to emptyDir volumes by one container are readable by the others.
 */
export function restrictedPod(uid: number): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Container-level settings for "restricted" with a read-only root filesystem. */
export function restrictedContainer(): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}
