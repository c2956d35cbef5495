#!/usr/bin/env bash
# Scans dist/ with checkov's kubernetes framework. Every failed check fails the scan unless the
# object skips it with a `checkov.io/skipN` annotation carrying the reason (charts-src/lib/scan.ts,
# explained in docs/CHARTS.md). Uses the same pinned checkov as the CloudFormation lint: the
# virtualenv is named after a hash of cluster/requirements-lint.txt, so both share one.
set -euo pipefail
cd "$(dirname "$0")/.."
req=cluster/requirements-lint.txt
hash=$(sha256sum "$req" | cut -c1-12)
venv="${HOME}/.cache/genpool/venv-iaclint-${hash}"
if [[ ! -f "${venv}/.complete" ]]; then
  echo "creating ${venv}" >&2
  rm -rf "${venv}"
  python3 -m venv "${venv}"
  "${venv}/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  touch "${venv}/.complete"
fi
echo "checkov --framework kubernetes dist/" >&2
"${venv}/bin/checkov" --quiet --compact --framework kubernetes --skip-download --output cli --directory dist/
