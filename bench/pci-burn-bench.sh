#!/usr/bin/env bash
# A burn through the emulated PCI function, kiln against mstflint, whole processes (issue 10):
#   A: kiln device exec DEV -- mstflint -d 0000:03:00.0 -i NEW.bin -y burn
#   B: kiln device exec DEV -- kiln burn --device pci:0000:03:00.0 NEW.bin --yes
# Both run the same `kiln device exec` (FUSE-served config space), against a fresh copy of the
# same device directory before every run, and send the same component (the image up to the end
# of its last ITOC section), so the figures compare the two hosts' register traffic. The image
# is SIZE_MIB (default 32) with small sections (a 256 KiB MAIN_CODE), the usual shape of a
# generated image. Every config-space access is a FUSE round trip (tens of µs), so one burn takes
# about a minute.
# Runs alternate A B A B; prints each run, the medians, the ratio and the load average before
# and after. Needs root, /dev/fuse and mstflint.
# Not a test: take figures on a quiet machine only (the load gate of bench/lib refuses otherwise).
# Usage: bench/pci-burn-bench.sh [--runs N] [--size MIB] [--allow-load]  (KILN=... another launcher)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/bench-common.sh"
bench_runs=5
bench_parse "$@"
((${#bench_extra[@]} == 0)) || { echo "usage: $0 [--runs N] [--size MIB] [--allow-load]" >&2; exit 2; }
runs="$bench_runs"
size_mib="$bench_size"
kiln="$kiln_cmd"
command -v mstflint >/dev/null || { echo "mstflint is not installed" >&2; exit 2; }
bench_start "burn through the emulated PCI function: kiln vs mstflint, ${size_mib} MiB"
work="$bench_work"
keys="$sample_keys"
uuid=6f065e04-bb0b-4334-9d90-f62cea2b3382   # the sample RSA-2048 key (NOT FOR PRODUCTION)

# One description, two versions.
describe() {
  cat >"$work/$1.json" <<JSON
{
  "device": "cx6dx", "fwVersion": "$1", "releaseDate": "2024-03-15",
  "psid": "MT_0000000528", "partNumber": "MCX623106AN-CDA_Ax", "description": "pci burn bench",
  "securityVersion": 1, "flags": ["mcc_en", "secure_fw", "signed_fw", "long_keys"],
  "guids": {"base": "0c42a10300aa5500", "count": 8}, "macs": {"base": "0c42a1aa5500", "count": 8},
  "imageSize": "${size_mib}MiB",
  "sections": [
    {"type": "HW_BOOT_CFG", "size": "0x200", "seed": 1},
    {"type": "PCIE_LINK_CODE", "size": "4KiB", "seed": 2},
    {"type": "MAIN_CODE", "size": "256KiB", "seed": 3},
    {"type": "FW_MAIN_CFG", "size": "0x400", "fill": "0x00"}
  ],
  "reserve": ["IMAGE_SIGNATURE_256", "IMAGE_SIGNATURE_512", "PUBLIC_KEYS_2048",
              "PUBLIC_KEYS_4096", "FORBIDDEN_VERSIONS"]
}
JSON
  "$kiln" build "$work/$1.json" --out "$work/$1-raw.bin" >/dev/null
  "$kiln" set-public-keys "$work/$1-raw.bin" "$work/keys.bin" --out "$work/$1-keys.bin" \
    --audit-log "$work/audit.jsonl" >/dev/null
  "$kiln" sign "$work/$1-keys.bin" --key "file:$keys/sample-rsa2048-NOT-FOR-PRODUCTION.pem" \
    --key-uuid "$uuid" --allow-sample-keys --out "$work/$1.bin" \
    --audit-log "$work/audit.jsonl" >/dev/null 2>&1
}
# PUBLIC_KEYS_2048 of this layout: 0x900 bytes (8 RSA-2048 entries).
"$kiln" keys pack --out "$work/keys.bin" --size 0x900 \
  --key "$keys/sample-rsa2048-NOT-FOR-PRODUCTION.pub.pem" --uuid "$uuid" >/dev/null
describe 22.41.1000
describe 22.42.1000
"$kiln" device init "$work/pristine" --device cx6dx --psid MT_0000000528 \
  --image "$work/22.41.1000.bin" --flash-size "$((size_mib * 2))M" >/dev/null

echo "image: ${size_mib} MiB file with a 256 KiB MAIN_CODE; device flash $((size_mib * 2)) MiB"
# Alternating runs, A B A B, each on a fresh copy of the same device.
run() {
  local label="$1"
  shift
  rm -rf "$work/dev" && cp -a "$work/pristine" "$work/dev"
  bench_time "$label" "$kiln" device exec "$work/dev" -- "$@"
}
for ((i = 0; i < runs; i++)); do
  run mstflint-burn mstflint -d 0000:03:00.0 -i "$work/22.42.1000.bin" -y burn
  run kiln-burn "$kiln" burn --device pci:0000:03:00.0 "$work/22.42.1000.bin" --yes
done
bench_compare "burn through kiln device exec (same component)" kiln-burn mstflint-burn \
  "not slower than mstflint (<= 1.00 wall)"
bench_finish
