#!/usr/bin/env bash
# Runs the JMH benchmarks of bench/jmh (not part of `mvn verify`). Extra arguments go to JMH,
# e.g. `bench/jmh/run.sh -p sizeMib=64 -f 1`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
(cd "$root" && mvn -B -q -ntp -pl inspector -am install -DskipTests) >/dev/null
(cd "$here" && mvn -B -q -ntp compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt) \
  >/dev/null
exec java -cp "$here/target/classes:$(cat "$here/target/cp.txt")" org.openjdk.jmh.Main "$@"
