#!/usr/bin/env bash
# Scans dist/ with checkov's kubernetes framework. Every failed check fails the scan unless the
# object skips it with a `checkov.io/skipN` annotation carrying the reason (charts-src/lib/scan.ts,
# explained in docs/CHARTS.md). Uses the same pinned checkov as the CloudFormation lint
# (scripts/iac-lint-venv.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$(bash scripts/iac-lint-venv.sh)"
echo "checkov --framework kubernetes dist/" >&2
"${venv}/bin/checkov" --quiet --compact --framework kubernetes --skip-download --output cli --directory dist/
