#!/usr/bin/env bash
# Burn throughput of a signed image (default 32 MiB) into the emulated device over emu:, tcp://
# and the PCI gateway path, and the host-side cost per register transaction (burner, issue 5).
# Appends one row to bench/RESULTS.md. Usage: bench/burn-bench.sh [SIZE_MIB]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size="${1:-32}"
cd "$root"
mvn -B -q -ntp -pl burner -am install -DskipTests >/dev/null
mvn -B -q -ntp -pl burner test-compile >/dev/null
cp_file="$(mktemp)"
mvn -B -q -ntp -pl burner dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$cp_file" >/dev/null
cp="burner/target/test-classes:burner/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
java -Xmx2g -cp "$cp" dev.kiln.burner.bench.BurnBench "$root/bench/RESULTS.md" "$size"
