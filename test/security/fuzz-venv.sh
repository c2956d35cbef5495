#!/usr/bin/env bash
# Prints the path of the virtualenv holding schemathesis from test/security/requirements-fuzz.txt,
# creating it on first use. It is named after a hash of that file, so a change of pins builds a new
# one and an unchanged one is reused. A lock keeps two concurrent callers from building it twice.
set -euo pipefail
cd "$(dirname "$0")/../.."
req=test/security/requirements-fuzz.txt
hash=$(sha256sum "$req" | cut -c1-12)
cache="${GENPOOL_CACHE:-${HOME}/.cache/genpool}"
venv="${cache}/venv-fuzz-${hash}"
mkdir -p "$cache"
exec 9>"${venv}.lock"
flock 9
if [[ ! -f "${venv}/.complete" ]]; then
  echo "creating ${venv}" >&2
  rm -rf "${venv}"
  "${PYTHON:-python3}" -m venv "${venv}"
  "${venv}/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
  touch "${venv}/.complete"
fi
echo "${venv}"
