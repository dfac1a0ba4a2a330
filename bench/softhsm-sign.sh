#!/usr/bin/env bash
# In-JVM cost of signing through SoftHSM2 (PKCS#11 via JNA) with the RSA-4096 sample key, next to
# the same key from a PEM file: opening the service and one signature over a SHA-512 digest.
# Not a test: timings depend on the machine. Results and discussion: bench/softhsm-sign.md.
# Usage: bench/softhsm-sign.sh [ITERATIONS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
iterations="${1:-200}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

[[ -f /usr/lib/softhsm/libsofthsm2.so ]] || { echo "softhsm2 is not installed" >&2; exit 2; }
# One reactor build with -am: the sibling modules resolve to their target/classes (nothing needs
# to be installed in ~/.m2, so this works on a fresh clone); the last module built, signer,
# writes the class path file last.
(cd "$root" && mvn -B -q -ntp -pl signer -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt") >/dev/null
# dev.kiln.testkit.SoftHsmToken writes this file and puts a fresh token directory beside it.
export SOFTHSM2_CONF="$work/softhsm/softhsm2.conf"
java -cp "$root/signer/target/test-classes:$root/signer/target/classes:$(cat "$work/cp.txt")" \
  dev.kiln.signer.pkcs11.bench.SoftHsmSignBench "$iterations"
