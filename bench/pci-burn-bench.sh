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
# Not a test: take figures on a quiet machine only (check `uptime`).
# Usage: bench/pci-burn-bench.sh [RUNS] [SIZE_MIB]      (KILN=... selects another launcher)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
size_mib="${2:-32}"
kiln="${KILN:-$root/kiln}"
command -v mstflint >/dev/null || { echo "mstflint is not installed" >&2; exit 2; }
"$kiln" --version >/dev/null   # builds the CLI if needed, outside the timed runs
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
keys="$root/keys-sample/src/main/resources/dev/kiln/keys"
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
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Alternating runs, A B A B, each on a fresh copy of the same device; wall time in ms.
run() {
  rm -rf "$work/dev" && cp -a "$work/pristine" "$work/dev"
  local start end
  start=$(date +%s%N)
  "$kiln" device exec "$work/dev" -- "$@" >"$work/last.out" 2>&1 \
    || { cat "$work/last.out" >&2; echo "bench: $1 failed" >&2; exit 1; }
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}
: >"$work/mstflint.ms"; : >"$work/kiln.ms"
for ((i = 0; i < runs; i++)); do
  run mstflint -d 0000:03:00.0 -i "$work/22.42.1000.bin" -y burn >>"$work/mstflint.ms"
  run "$kiln" burn --device pci:0000:03:00.0 "$work/22.42.1000.bin" --yes >>"$work/kiln.ms"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/mstflint.ms" "$work/kiln.ms" <<'PY'
import statistics, sys
m = [int(x) / 1000 for x in open(sys.argv[1])]
k = [int(x) / 1000 for x in open(sys.argv[2])]
print("mstflint runs (s):", " ".join(f"{x:.2f}" for x in m))
print("kiln runs (s):    ", " ".join(f"{x:.2f}" for x in k))
mm, km = statistics.median(m), statistics.median(k)
print(f"median: mstflint {mm:.2f} s, kiln {km:.2f} s, ratio kiln/mstflint {km / mm:.2f}")
PY
