#!/usr/bin/env bash
# Issue 14, one image: whole `kiln sign` against `mstflint -i F --private_key K --key_uuid U sign`
# on the same file, the same RSA-4096 file key (the keys-sample key), alternating runs, on both
# image shapes: "small" (small sections in a 32 MiB file, the usual generated image) and "full"
# (code sections filling the file). Every run's outputs are compared byte for byte.
# Goal: kiln at most 0.7 x mstflint's wall time, and less CPU.
# Usage: bench/sign-bench.sh [--runs N] [--size MIB] [--shape small|full|both] [--allow-load]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/bench-common.sh"
bench_value_options=(--shape)
bench_parse "$@"
shapes=(small full)
for ((i = 0; i < ${#bench_extra[@]}; i++)); do
  case "${bench_extra[i]}" in
    --shape) [[ "${bench_extra[i + 1]}" == both ]] || shapes=("${bench_extra[i + 1]}"); i=$((i + 1)) ;;
    *) echo "usage: $0 [--runs N] [--size MIB] [--shape small|full|both] [--allow-load]" >&2; exit 2 ;;
  esac
done
command -v mstflint >/dev/null || { echo "bench: mstflint is not installed" >&2; exit 2; }
bench_start "kiln sign vs mstflint sign, ${bench_size} MiB, RSA-4096 file key"
for shape in "${shapes[@]}"; do
  bench_image "$shape" "$bench_size" 22.41.1000 "$bench_work/$shape.bin"
  for ((run = 0; run < bench_runs; run++)); do
    cp "$bench_work/$shape.bin" "$bench_work/k.bin"
    cp "$bench_work/$shape.bin" "$bench_work/m.bin"
    sync
    # Alternating, and which tool goes first alternates too (page cache, CPU frequency).
    if ((run % 2 == 0)); then
      bench_time "kiln-$shape" "$kiln_cmd" sign "$bench_work/k.bin" "${sign_key[@]}" \
        --audit-log "$bench_work/audit.jsonl"
      bench_time "mstflint-$shape" mstflint -i "$bench_work/m.bin" --private_key "$sample_key" \
        --key_uuid "$sample_uuid" sign
    else
      bench_time "mstflint-$shape" mstflint -i "$bench_work/m.bin" --private_key "$sample_key" \
        --key_uuid "$sample_uuid" sign
      bench_time "kiln-$shape" "$kiln_cmd" sign "$bench_work/k.bin" "${sign_key[@]}" \
        --audit-log "$bench_work/audit.jsonl"
    fi
    cmp -s "$bench_work/k.bin" "$bench_work/m.bin" ||
      { echo "bench: kiln's and mstflint's signed images differ" >&2; exit 1; }
  done
  bench_compare "sign, $shape sections (outputs byte-identical)" "kiln-$shape" "mstflint-$shape" \
    "wall <= 0.70, CPU < 1.00"
done
bench_finish
