#!/usr/bin/env bash
# Prints the path of the virtualenv holding the pinned IaC linters (cfn-lint, checkov) from
# cluster/requirements-lint.txt, creating it on first use. It is named after a hash of that file,
# so a change of pins builds a new one and an unchanged one is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
req=cluster/requirements-lint.txt
hash=$(sha256sum "$req" | cut -c1-12)
venv="${HOME}/.cache/genpool/venv-iaclint-${hash}"
if [[ ! -f "${venv}/.complete" ]]; then
  echo "creating ${venv}" >&2
  rm -rf "${venv}"
  python3 -m venv "${venv}"
  "${venv}/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
  touch "${venv}/.complete"
fi
echo "${venv}"
