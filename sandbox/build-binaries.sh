#!/usr/bin/env bash
# Builds the sandbox's control-plane binaries (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl, kwok) from the pinned wrapper modules in sandbox/go/*.
#
# Binaries are cached outside the work tree, keyed by a hash of each wrapper's go.mod and go.sum
# plus the Go version, so they are rebuilt only when a pinned version changes.
# Prints the directory holding the binaries on its last line.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${GENPOOL_CACHE:-$HOME/.cache/genpool}"
mkdir -p "$cache"
# One build at a time per cache: a second caller waits, then finds the binaries built.
exec 9>"$cache/.build.lock"
flock 9

kube_version="$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" { print $3 }' "$here/go/kube/go.mod")"

# module_key DIR: a short hash of what pins the module's build.
module_key() {
  cat "$1/go.mod" "$1/go.sum" <(go env GOVERSION) | sha256sum | cut -c1-16
}

# build_module NAME LDFLAGS PACKAGE...: builds PACKAGEs of sandbox/go/NAME into the cache.
build_module() {
  local name="$1" ldflags="$2"
  shift 2
  local dir="$cache/$name-$(module_key "$here/go/$name")"
  if [[ -f "$dir/.complete" ]]; then
    echo "$dir"
    return
  fi
  echo "building $name into $dir (first time for these pins; tens of minutes on 2 cores)" >&2
  rm -rf "$dir" && mkdir -p "$dir"
  local start=$SECONDS
  (cd "$here/go/$name" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $ldflags" -o "$dir/" "$@")
  echo "built $name in $((SECONDS - start)) s" >&2
  touch "$dir/.complete"
  echo "$dir"
}

version_flags="-X k8s.io/component-base/version.gitVersion=$kube_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$kube_version" | cut -d. -f2) -X k8s.io/client-go/pkg/version.gitVersion=$kube_version"

etcd_dir="$(build_module etcd "" go.etcd.io/etcd/server/v3)"
kwok_dir="$(build_module kwok "" sigs.k8s.io/kwok/cmd/kwok)"
kube_dir="$(build_module kube "$version_flags" \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler \
  k8s.io/kubernetes/cmd/kubectl)"

# One folder of links, so callers need a single PATH entry.
bin="$cache/bin-$(echo "$etcd_dir $kwok_dir $kube_dir" | sha256sum | cut -c1-16)"
mkdir -p "$bin"
# `go build` names the etcd server binary after the package path's last element before /v3.
ln -sf "$etcd_dir/server" "$bin/etcd"
ln -sf "$kwok_dir/kwok" "$bin/kwok"
for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  ln -sf "$kube_dir/$b" "$bin/$b"
done
echo "$bin"
