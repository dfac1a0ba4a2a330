#!/bin/sh
# Runs the emulator benchmarks (not part of the test suite). Usage: emulator/bench.sh [MiB]
set -e
cd "$(dirname "$0")/.."
mvn -B -q -ntp -o -pl emulator test-compile dependency:build-classpath \
  -Dmdep.outputFile="$PWD/emulator/target/bench-classpath.txt" -Dmdep.includeScope=test
exec java -cp "$(cat emulator/target/bench-classpath.txt):emulator/target/classes:emulator/target/test-classes" \
  dev.kiln.emulator.bench.McdaThroughputBench "$@"
