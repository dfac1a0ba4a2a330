#!/usr/bin/env bash
# Times whole 'kiln sign' against 'mstflint ... sign' on a 32 MiB image with the same RSA-4096 file
# key (the keys-sample key; kiln needs --allow-sample-keys for it) and prints the medians and their
# ratio. Not a test: timings depend on the machine. Usage: bench/sign-bench.sh [RUNS] [SIZE_MIB]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-7}"
size_mib="${2:-32}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
uuid=00112233445566778899aabbccddeeff
# KILN may name another launcher (e.g. a java command line) for measurements.
kiln_cmd="${KILN:-$root/kiln}"

command -v mstflint >/dev/null || { echo "mstflint is not installed" >&2; exit 2; }
"$kiln_cmd" --version >/dev/null   # builds the CLI if needed, outside the timed runs
(cd "$root" && mvn -B -q -ntp -pl signer -am test-compile -Dmaven.javadoc.skip=true) >/dev/null
cp_file="$work/cp.txt"
(cd "$root" && mvn -B -q -ntp -pl signer dependency:build-classpath -Dmdep.outputFile="$cp_file") \
  >/dev/null
# The signing tests' fixture: a verify-clean image whose code sections fill the file.
java -cp "$root/signer/target/test-classes:$root/signer/target/classes:$(cat "$cp_file")" \
  dev.kiln.signer.fs4.Fs4Fixtures "$work/image.bin" "$size_mib" v1
cp "$root/keys-sample/src/main/resources/dev/kiln/keys/sample-rsa4096-NOT-FOR-PRODUCTION.pem" \
  "$work/key.pem"

now() { date +%s.%N; }
# CPU seconds (user + system) of one command, appended to $1; its output is discarded.
cpu() {
  local file="$1"
  shift
  /usr/bin/time -f '%U %S' -o "$work/cpu.tmp" "$@" >/dev/null
  awk '{print $1 + $2}' "$work/cpu.tmp" >>"$file"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >"$work/mstflint.times"
: >"$work/kiln.times"
: >"$work/mstflint.cpu"
: >"$work/kiln.cpu"
for ((i = 0; i < runs; i++)); do
  cp "$work/image.bin" "$work/m.bin"
  cp "$work/image.bin" "$work/k.bin"
  sync
  t0=$(now)
  cpu "$work/mstflint.cpu" \
    mstflint -i "$work/m.bin" --private_key "$work/key.pem" --key_uuid "$uuid" sign
  t1=$(now)
  cpu "$work/kiln.cpu" "$kiln_cmd" sign "$work/k.bin" --key "file:$work/key.pem" \
    --key-uuid "$uuid" --allow-sample-keys --audit-log "$work/audit.jsonl"
  t2=$(now)
  echo "$t1 - $t0" | bc -l >>"$work/mstflint.times"
  echo "$t2 - $t1" | bc -l >>"$work/kiln.times"
  cmp -s "$work/m.bin" "$work/k.bin" || { echo "outputs differ!" >&2; exit 1; }
done
m=$(median <"$work/mstflint.times")
k=$(median <"$work/kiln.times")
printf 'image %d MiB, RSA-4096 file key, %d runs (medians; outputs byte-identical)\n' \
  "$size_mib" "$runs"
mc=$(median <"$work/mstflint.cpu")
kc=$(median <"$work/kiln.cpu")
printf '  mstflint sign: %.3f s wall, %.2f s CPU\n' "$m" "$mc"
printf '  kiln sign:     %.3f s wall, %.2f s CPU\n' "$k" "$kc"
printf '  ratio kiln/mstflint: %.2f wall, %.2f CPU\n' "$(echo "$k / $m" | bc -l)" \
  "$(echo "$kc / $mc" | bc -l)"
printf '  load average during the run: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
