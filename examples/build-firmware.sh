#!/usr/bin/env bash
# The "your build" step of the CI examples (ci/github-actions.yml, ci/gitlab-ci.yml): releases
# release.json with kiln (build, provision the release key, sign on the token, verify, check
# against the lab board, bundle) and copies the signed images into OUT. A firmware repository puts
# its own build here; the gate step needs only OUT/*.bin.
#
# Usage: build-firmware.sh OUT
# Needs the token of setup-lab.sh (SOFTHSM2_CONF) and its PIN in KILN_PIN; runs the `kiln` on
# PATH, or KILN.
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUT" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"${KILN:-kiln}" release "$here/release.json"
mkdir -p "$1"
cp "$here"/out/cx6dx-22.41.1000/*.bin "$1"/
