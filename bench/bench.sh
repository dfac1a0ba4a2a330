#!/usr/bin/env bash
# Times whole kiln commands against mstflint on the same 32 MiB image (built by `kiln build`) and
# prints medians and ratios: `kiln verify` vs `mstflint -i F verify`, `kiln inspect` vs
# `mstflint -i F query full`; also the time of `kiln build` itself. Not a test: timings depend on
# the machine and its load (printed). Uses hyperfine when installed, else a date-based loop.
# Usage: bench/bench.sh [RUNS] [SIZE_MIB]      (KILN=... selects another launcher)
# Later benches (sign, burn) live next to this script: sign-bench.sh, burn-bench.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-10}"
size_mib="${2:-32}"
kiln="${KILN:-$root/kiln}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
command -v mstflint >/dev/null || { echo "mstflint is not installed" >&2; exit 2; }
"$kiln" --version >/dev/null   # builds the CLI if needed, outside the timed runs

# Code sections fill most of the first slot (ITOC sections must end below 2^log2, half the file).
code_mib=$((size_mib * 3 / 8))
sections=""
seed=1
left=$code_mib
while [ "$left" -gt 0 ]; do
  piece=$(( left > 8 ? 8 : left ))
  sections="$sections{\"type\": \"MAIN_CODE\", \"size\": \"${piece}MiB\", \"seed\": $seed},"
  left=$((left - piece)); seed=$((seed + 1))
done
cat >"$work/bench.json" <<JSON
{
  "device": "cx6dx", "fwVersion": "22.41.1000", "releaseDate": "2024-03-15",
  "psid": "MT_0000000528", "partNumber": "MCX623106AN-CDA_Ax", "description": "bench image",
  "securityVersion": 1, "flags": ["mcc_en", "secure_fw", "long_keys"],
  "guids": {"base": "0c42a10300aa5500", "count": 8}, "macs": {"base": "0c42a1aa5500", "count": 8},
  "imageSize": "${size_mib}MiB",
  "sections": [${sections%,}],
  "reserve": ["IMAGE_SIGNATURE_256", "IMAGE_SIGNATURE_512", "PUBLIC_KEYS_2048",
              "FORBIDDEN_VERSIONS"]
}
JSON
image="$work/image.bin"

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Median wall seconds of a command over $runs runs (output discarded, must exit 0).
timed() {
  if command -v hyperfine >/dev/null; then
    hyperfine -N -w 2 -r "$runs" --export-json "$work/h.json" "$*" >/dev/null
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' \
      "$work/h.json"
    return
  fi
  "$@" >/dev/null 2>&1   # warm-up (page cache, CDS archive)
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    awk -v d=$((end - start)) 'BEGIN {printf "%.4f\n", d / 1e9}'
  done | median
}

build_runs=3
build_time=$(for _ in $(seq $build_runs); do
  start=$(date +%s%N); "$kiln" build "$work/bench.json" --out "$image" --force >/dev/null
  end=$(date +%s%N); awk -v d=$((end - start)) 'BEGIN {printf "%.4f\n", d / 1e9}'
done | median)
mstflint -i "$image" verify >/dev/null   # the bench image must be valid for both tools
"$kiln" verify "$image" >/dev/null

mv_=$(timed mstflint -i "$image" verify)
kv=$(timed "$kiln" verify "$image")
mq=$(timed mstflint -i "$image" query full)
ki=$(timed "$kiln" inspect "$image")
kij=$(timed "$kiln" inspect --json "$image")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

echo "image: ${size_mib} MiB (${code_mib} MiB of code sections), runs: $runs, load: $(cut -d' ' -f1 /proc/loadavg)"
printf '%-34s %8s s\n' "kiln build" "$build_time"
printf '%-34s %8s s\n' "mstflint -i F verify" "$mv_"
printf '%-34s %8s s   ratio kiln/mstflint %s\n' "kiln verify F" "$kv" "$(ratio "$kv" "$mv_")"
printf '%-34s %8s s\n' "mstflint -i F query full" "$mq"
printf '%-34s %8s s   ratio kiln/mstflint %s\n' "kiln inspect F" "$ki" "$(ratio "$ki" "$mq")"
printf '%-34s %8s s   ratio kiln/mstflint %s\n' "kiln inspect --json F" "$kij" "$(ratio "$kij" "$mq")"
