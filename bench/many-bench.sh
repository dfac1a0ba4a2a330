#!/usr/bin/env bash
# Issue 14, many images in one run: one `kiln sign IMG...` of COUNT images (default 40) against
# COUNT `mstflint ... sign` calls, and one `kiln verify IMG...` against COUNT `mstflint verify`
# calls, on the same files, alternating batches. Signed outputs are compared byte for byte.
# Goals: sign at most 0.25 x and verify at most 0.5 x the mstflint calls (both cores in use).
# Usage: bench/many-bench.sh [--runs N] [--size MIB] [--count N] [--allow-load]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/bench-common.sh"
bench_runs=3
bench_value_options=(--count)
bench_parse "$@"
count=40
for ((i = 0; i < ${#bench_extra[@]}; i++)); do
  case "${bench_extra[i]}" in
    --count) count="${bench_extra[i + 1]}"; i=$((i + 1)) ;;
    *) echo "usage: $0 [--runs N] [--size MIB] [--count N] [--allow-load]" >&2; exit 2 ;;
  esac
done
command -v mstflint >/dev/null || { echo "bench: mstflint is not installed" >&2; exit 2; }
bench_start "$count images of ${bench_size} MiB: one kiln run vs $count mstflint calls"
mkdir -p "$bench_work/src" "$bench_work/k" "$bench_work/m"
names=()
for ((n = 0; n < count; n++)); do
  # Distinct images: each its own firmware version.
  bench_image small "$bench_size" "22.41.$((1000 + n))" "$bench_work/src/fw-$n.bin"
  names+=("fw-$n.bin")
done
cat >"$bench_work/mstflint-sign.sh" <<SH
for f in "\$@"; do mstflint -i "\$f" --private_key "$sample_key" --key_uuid $sample_uuid sign || exit 1; done
SH
cat >"$bench_work/mstflint-verify.sh" <<'SH'
for f in "$@"; do mstflint -i "$f" verify || exit 1; done
SH
for ((run = 0; run < bench_runs; run++)); do
  for name in "${names[@]}"; do
    cp "$bench_work/src/$name" "$bench_work/k/$name"
    cp "$bench_work/src/$name" "$bench_work/m/$name"
  done
  sync
  bench_time kiln-sign "$kiln_cmd" sign "${names[@]/#/$bench_work/k/}" "${sign_key[@]}" \
    --audit-log "$bench_work/audit.jsonl"
  bench_time mstflint-sign bash "$bench_work/mstflint-sign.sh" "${names[@]/#/$bench_work/m/}"
  for name in "${names[@]}"; do
    cmp -s "$bench_work/k/$name" "$bench_work/m/$name" ||
      { echo "bench: $name: kiln's and mstflint's signed images differ" >&2; exit 1; }
  done
  bench_time mstflint-verify bash "$bench_work/mstflint-verify.sh" "${names[@]/#/$bench_work/m/}"
  bench_time kiln-verify "$kiln_cmd" verify "${names[@]/#/$bench_work/k/}"
done
[[ "$(wc -l <"$bench_work/audit.jsonl")" -eq $((count * bench_runs)) ]] ||
  { echo "bench: the audit log does not hold one record per image" >&2; exit 1; }
bench_compare "sign $count images (outputs byte-identical, one audit log)" kiln-sign mstflint-sign \
  "wall <= 0.25"
bench_compare "verify $count images" kiln-verify mstflint-verify "wall <= 0.50"
bench_finish
