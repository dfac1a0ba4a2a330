#!/usr/bin/env bash
# Issue 14, burn over tcp://: the whole `kiln burn` command line (JVM start, read, pre-check, MCC
# flow, re-query) of a 32 MiB image whose code fills the file, into a fresh `kiln device serve`
# daemon over loopback, alternating with the same burn through `emu:` (the emulator in-process)
# into a second device; MiB/s = component bytes / whole-command wall time.
# Goal: tcp:// at least 20 MiB/s for the whole command.
# Usage: bench/burn-bench.sh [--runs N] [--size MIB] [--allow-load]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/bench-common.sh"
bench_runs=3
bench_parse "$@"
((${#bench_extra[@]} == 0)) || { echo "usage: $0 [--runs N] [--size MIB] [--allow-load]" >&2; exit 2; }
bench_start "kiln burn over tcp:// vs emu:, ${bench_size} MiB image, whole command"
for version in 22.41.1000 22.42.1000; do
  bench_image full "$bench_size" "$version" "$bench_work/unsigned-$version.bin"
  "$kiln_cmd" sign "$bench_work/unsigned-$version.bin" --out "$bench_work/fw-$version.bin" \
    "${sign_key[@]}" --audit-log "$bench_work/setup-audit.jsonl" >/dev/null 2>&1
done
for dev in tcp emu; do
  "$kiln_cmd" device init "$bench_work/$dev" --device cx6dx --psid MT_0000000528 \
    --image "$bench_work/fw-22.41.1000.bin" >/dev/null
done
"$kiln_cmd" device serve "$bench_work/tcp" >"$bench_work/serve.out" 2>&1 &
daemon=$!
trap 'kill "$daemon" 2>/dev/null; rm -rf "$bench_work"' EXIT
for ((i = 0; i < 600; i++)); do
  grep -q '^listening on' "$bench_work/serve.out" && break
  kill -0 "$daemon" 2>/dev/null || { cat "$bench_work/serve.out" >&2; exit 1; }
  sleep 0.1
done
address="$(sed -n 's/^listening on //p' "$bench_work/serve.out")"
tcp="tcp://$address?token-file=$bench_work/tcp/daemon.token"
emu="emu:$bench_work/emu"
version=22.42.1000
for ((run = 0; run < bench_runs; run++)); do
  image="$bench_work/fw-$version.bin"
  # --force: every run burns into the inactive slot whatever the running version.
  bench_time tcp-burn "$kiln_cmd" burn -y --force --device "$tcp" "$image"
  bytes="$(sed -n 's/^Burned \([0-9]*\) bytes.*/\1/p' "$bench_work/last.out")"
  bench_time emu-burn "$kiln_cmd" burn -y --force --device "$emu" "$image"
  # Untimed: drop the pending image, so that the next run is a burn too (a device with an image
  # waiting for a reset refuses another, PENDING_RESET).
  for dev in "$tcp" "$emu"; do
    "$kiln_cmd" device reactivate --device "$dev" >/dev/null 2>&1 ||
      { echo "bench: cannot drop the pending image of $dev" >&2; exit 1; }
  done
  [[ "$version" == 22.42.1000 ]] && version=22.41.1000 || version=22.42.1000
done
bench_compare "burn, whole command (component $bytes bytes)" tcp-burn emu-burn \
  "tcp:// >= 20 MiB/s"
tw="$(bench_median tcp-burn 1)"
ew="$(bench_median emu-burn 1)"
bench_result "$(awk -v b="$bytes" -v t="$tw" -v e="$ew" 'BEGIN {
  printf "  throughput of the whole command: tcp:// %.1f MiB/s, emu: %.1f MiB/s (goal: tcp:// >= 20 MiB/s: %s)\n",
    b / 1048576 / t, b / 1048576 / e, (b / 1048576 / t >= 20) ? "met" : "not met" }')"
bench_finish
