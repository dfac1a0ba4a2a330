#!/usr/bin/env bash
# Issue 14, start-up: one whole `kiln verify IMG` and one `kiln inspect IMG` of a 32 MiB image
# against a bare `java` start (an empty main) on the JDK the launcher picks, alternating runs;
# mstflint's `verify` and `query full` of the same file are timed alongside for reference.
# Goal: verify and inspect each at most 2 x the empty main.
# Usage: bench/bench.sh [--runs N] [--size MIB] [--allow-load]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/bench-common.sh"
source "$bench_root/pipeline/launcher/jvm-startup.sh"
bench_parse "$@"
((${#bench_extra[@]} == 0)) || { echo "usage: $0 [--runs N] [--size MIB] [--allow-load]" >&2; exit 2; }
command -v mstflint >/dev/null || { echo "bench: mstflint is not installed" >&2; exit 2; }
kiln_select_java || { echo "bench: no Java runtime" >&2; exit 2; }
[[ -x "$kiln_java_home/bin/javac" ]] ||
  { echo "bench: $kiln_java_home has no javac for the empty main" >&2; exit 2; }
bench_start "kiln verify / inspect vs an empty java main, ${bench_size} MiB"
echo "empty main: $kiln_java (JDK $kiln_java_feature)"
mkdir -p "$bench_work/empty"
echo 'public final class Empty { public static void main(String[] args) {} }' \
  >"$bench_work/empty/Empty.java"
"$kiln_java_home/bin/javac" -d "$bench_work/empty" "$bench_work/empty/Empty.java"
bench_image full "$bench_size" 22.41.1000 "$bench_work/unsigned.bin"
"$kiln_cmd" sign "$bench_work/unsigned.bin" --out "$bench_work/image.bin" "${sign_key[@]}" \
  --audit-log "$bench_work/setup-audit.jsonl" >/dev/null 2>&1
image="$bench_work/image.bin"
for ((run = 0; run < bench_runs; run++)); do
  bench_time empty-main "$kiln_java" -cp "$bench_work/empty" Empty
  bench_time kiln-verify "$kiln_cmd" verify "$image"
  bench_time empty-main "$kiln_java" -cp "$bench_work/empty" Empty
  bench_time kiln-inspect "$kiln_cmd" inspect "$image"
  bench_time mstflint-verify mstflint -i "$image" verify
  bench_time mstflint-query mstflint -i "$image" query full
done
bench_compare "verify" kiln-verify empty-main "kiln-verify/empty-main <= 2.00 wall"
bench_compare "inspect" kiln-inspect empty-main "kiln-inspect/empty-main <= 2.00 wall"
bench_compare "verify, for reference" kiln-verify mstflint-verify "none (issue 14 reports 18)"
bench_compare "inspect, for reference" kiln-inspect mstflint-query "none (issue 14 reports 32)"
bench_finish
