#!/usr/bin/env bash
# Lints the synthesized CloudFormation template with cfn-lint (errors fail) and checkov
# (every failed check fails unless skipped with a reason in the template metadata).
# The tools live in the virtualenv that scripts/iac-lint-venv.sh prints.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$(bash scripts/iac-lint-venv.sh)"
if [[ "${GENPOOL_SKIP_SYNTH:-}" != "1" ]]; then
  npm run --silent synth:cluster
fi
templates=(cdk.out/*.template.json)
echo "cfn-lint ${templates[*]}" >&2
# cfn-lint's exit code is a bit mask: 2 = errors, 4 = warnings, 8 = informational. Errors fail.
rc=0
"${venv}/bin/cfn-lint" --format parseable -- "${templates[@]}" || rc=$?
if (( rc & 3 )); then
  echo "cfn-lint found errors (exit ${rc})" >&2
  exit 1
fi
echo "checkov ${templates[*]}" >&2
"${venv}/bin/checkov" --quiet --compact --framework cloudformation \
  --skip-download --output cli $(printf -- '--file %s ' "${templates[@]}")
