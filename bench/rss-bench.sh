#!/usr/bin/env bash
# Issue 14, memory: peak resident size (GNU time's maximum RSS) of one `kiln sign` of a 32 MiB
# image, both shapes, against the JVM's own floor: an empty main on the same JDK; alternating.
# Goal: kiln sign at most 1.5 x the image size plus the floor.
# Usage: bench/rss-bench.sh [--runs N] [--size MIB] [--allow-load]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/bench-common.sh"
source "$bench_root/pipeline/launcher/jvm-startup.sh"
bench_runs=3
bench_parse "$@"
((${#bench_extra[@]} == 0)) || { echo "usage: $0 [--runs N] [--size MIB] [--allow-load]" >&2; exit 2; }
kiln_select_java || { echo "bench: no Java runtime" >&2; exit 2; }
[[ -x "$kiln_java_home/bin/javac" ]] ||
  { echo "bench: $kiln_java_home has no javac for the empty main" >&2; exit 2; }
bench_start "peak RSS of kiln sign, ${bench_size} MiB, vs an empty java main"
echo "empty main: $kiln_java (JDK $kiln_java_feature)"
mkdir -p "$bench_work/empty"
echo 'public final class Empty { public static void main(String[] args) {} }' \
  >"$bench_work/empty/Empty.java"
"$kiln_java_home/bin/javac" -d "$bench_work/empty" "$bench_work/empty/Empty.java"
for shape in small full; do
  bench_image "$shape" "$bench_size" 22.41.1000 "$bench_work/$shape.bin"
  for ((run = 0; run < bench_runs; run++)); do
    cp "$bench_work/$shape.bin" "$bench_work/k.bin"
    bench_time "kiln-sign-$shape" "$kiln_cmd" sign "$bench_work/k.bin" "${sign_key[@]}" \
      --audit-log "$bench_work/audit.jsonl"
    bench_time empty-main "$kiln_java" -cp "$bench_work/empty" Empty
  done
done
floor="$(bench_median empty-main 3)"
for shape in small full; do
  rss="$(bench_median "kiln-sign-$shape" 3)"
  bench_result "$(awk -v s="$shape" -v rss="$rss" -v floor="$floor" -v mib="$bench_size" \
    -v runs="$bench_runs" 'BEGIN {
      limit = floor / 1024 + 1.5 * mib
      printf "sign, %s sections (%d alternating runs, medians): peak RSS %.1f MiB; empty main %.1f MiB;", s, runs, rss / 1024, floor / 1024
      printf " goal <= %.1f MiB (1.5 x %d MiB + floor): %s; (RSS - floor) / image = %.2f\n", limit, mib, rss / 1024 <= limit ? "met" : "not met", (rss - floor) / 1024 / mib
    }')"
done
bench_finish
