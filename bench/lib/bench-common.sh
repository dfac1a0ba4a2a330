# Shared by the bench scripts (sourced): options, the honest-figures header, alternating runs,
# medians and ratios, the load gate, and the test images every script builds with the kiln CLI
# alone (no Maven classpath, so they work on a fresh clone). See bench/README.md.
#
# Common options: --runs N, --size MIB, --allow-load (print results even when the 1-minute load
# average exceeded $bench_max_load during the run). KILN=... names another launcher.

bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bench_max_load="${BENCH_MAX_LOAD:-1.5}" # the gate; tests set it to prove the refusal
bench_runs=7
bench_size=32
bench_allow_load=false
bench_extra=() # options a script parses itself
bench_value_options=() # those of them that take a value
kiln_cmd="${KILN:-$bench_root/kiln}"
sample_keys="$bench_root/keys-sample/src/main/resources/dev/kiln/keys"
sample_key="$sample_keys/sample-rsa4096-NOT-FOR-PRODUCTION.pem"
sample_uuid=00112233445566778899aabbccddeeff

bench_parse() {
  local positional=0
  while (($#)); do
    case "$1" in
      --runs) bench_runs="$2"; shift 2 ;;
      --size) bench_size="$2"; shift 2 ;;
      --allow-load) bench_allow_load=true; shift ;;
      # The older positional form, [RUNS] [SIZE_MIB], still works.
      [0-9]*) if ((positional++ == 0)); then bench_runs="$1"; else bench_size="$1"; fi; shift ;;
      *)
        # A script's own options that take a value (bench_value_options) keep their value.
        if [[ " ${bench_value_options[*]} " == *" $1 "* && $# -ge 2 ]]; then
          bench_extra+=("$1" "$2")
          shift 2
        else
          bench_extra+=("$1")
          shift
        fi ;;
    esac
  done
}

# Starts a run: work directory, the header (commit, JDK, load before), the CLI built beforehand.
bench_start() {
  local title="$1"
  bench_work="$(mktemp -d)"
  trap 'rm -rf "$bench_work"' EXIT
  : >"$bench_work/results.txt"
  "$kiln_cmd" --version >"$bench_work/version.txt" 2>"$bench_work/build.txt" || {
    cat "$bench_work/build.txt" >&2
    echo "bench: the kiln CLI does not start" >&2
    exit 2
  }
  local commit
  commit="$(git -C "$bench_root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  if [[ "$commit" != unknown ]] && ! git -C "$bench_root" diff --quiet HEAD 2>/dev/null; then
    commit="$commit (with uncommitted changes)"
  fi
  bench_load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
  bench_load_max="${bench_load_before%% *}"
  echo "== $title"
  echo "date:    $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit:  $commit"
  echo "command: $0 $bench_command_line"
  sed -n '2,3s/^/kiln:    /p' "$bench_work/version.txt"
  echo "load average before: $bench_load_before"
}

bench_sample_load() {
  local now
  now="$(cut -d' ' -f1 /proc/loadavg)"
  if awk -v a="$now" -v b="$bench_load_max" 'BEGIN { exit !(a > b) }'; then
    bench_load_max="$now"
  fi
}

# bench_time LABEL COMMAND...: runs COMMAND once (output discarded) and appends
# "wall_seconds cpu_seconds peak_rss_kib" to $bench_work/LABEL.
bench_time() {
  local label="$1"
  shift
  local start end
  start="$(date +%s%N)"
  if ! /usr/bin/time -f '%U %S %M' -o "$bench_work/time.tmp" "$@" \
      >"$bench_work/last.out" 2>"$bench_work/last.err"; then
    echo "bench: $label failed: $*" >&2
    cat "$bench_work/last.out" "$bench_work/last.err" >&2
    exit 1
  fi
  end="$(date +%s%N)"
  tail -n 1 "$bench_work/time.tmp" |
    awk -v ns="$((end - start))" '{ printf "%.4f %.3f %d\n", ns / 1e9, $1 + $2, $3 }' \
      >>"$bench_work/$label"
  bench_sample_load
}

# Median of column COLUMN (1 wall, 2 CPU, 3 RSS) of LABEL's runs.
bench_median() {
  awk -v c="$2" '{ print $c }' "$bench_work/$1" | sort -g |
    awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# bench_result TEXT: a result line, printed only if the load gate passes.
bench_result() {
  echo "$*" >>"$bench_work/results.txt"
}

# bench_compare NAME A B GOAL: medians of A and B (wall, CPU, RSS) and the ratios A/B.
bench_compare() {
  local name="$1" a="$2" b="$3" goal="$4"
  local aw ac ar bw bc br
  aw="$(bench_median "$a" 1)"; ac="$(bench_median "$a" 2)"; ar="$(bench_median "$a" 3)"
  bw="$(bench_median "$b" 1)"; bc="$(bench_median "$b" 2)"; br="$(bench_median "$b" 3)"
  bench_result "$(awk -v n="$name" -v a="$a" -v b="$b" -v aw="$aw" -v ac="$ac" -v ar="$ar" \
    -v bw="$bw" -v bc="$bc" -v br="$br" -v runs="$(wc -l <"$bench_work/$a")" -v goal="$goal" '
    function ratio(x, y) { return y > 0 ? sprintf("%.2f", x / y) : "n/a" }
    BEGIN {
      printf "%s (%d alternating runs each, medians)\n", n, runs
      printf "  %-22s %8.3f s wall %7.3f s CPU %7.1f MiB peak RSS\n", a, aw, ac, ar / 1024
      printf "  %-22s %8.3f s wall %7.3f s CPU %7.1f MiB peak RSS\n", b, bw, bc, br / 1024
      printf "  ratio %s/%s: %s wall, %s CPU, %s RSS (goal: %s)\n", a, b, ratio(aw, bw),
        ratio(ac, bc), ratio(ar, br), goal
    }')"
}

# Ends a run: load after, then the results, or a refusal when the load was too high.
bench_finish() {
  bench_sample_load
  echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg) (highest 1-minute value seen: $bench_load_max)"
  if awk -v a="$bench_load_max" -v m="$bench_max_load" 'BEGIN { exit !(a > m) }' &&
      [[ "$bench_allow_load" != true ]]; then
    echo "bench: refused: the load average reached $bench_load_max (> $bench_max_load) during the run;" \
      "the figures would not be honest. Run again on a quiet machine, or pass --allow-load." >&2
    exit 3
  fi
  if [[ "$bench_allow_load" == true ]] &&
      awk -v a="$bench_load_max" -v m="$bench_max_load" 'BEGIN { exit !(a > m) }'; then
    echo "WARNING: load above $bench_max_load during the run (--allow-load): not figures to publish"
  fi
  cat "$bench_work/results.txt"
}

# bench_image SHAPE SIZE_MIB VERSION OUT: a verify-clean FS4 image built by `kiln build`, with
# the sample RSA-4096 public key provisioned (unsigned). SHAPE small: small sections, the usual
# shape of a generated image; full: code sections filling the file (each below 16 MiB).
bench_image() {
  local shape="$1" size="$2" version="$3" out="$4"
  local sections='{"type": "HW_BOOT_CFG", "size": "0x200", "seed": 1},
    {"type": "PCIE_LINK_CODE", "size": "4KiB", "seed": 2},
    {"type": "MAIN_CODE", "size": "128KiB", "seed": 3},'
  local log2=22
  while (((1 << log2) < size * 1024 * 1024)); do log2=$((log2 + 1)); done
  if [[ "$shape" == full ]]; then
    local left=$((size * 1024 - 512)) seed=3 piece
    sections='{"type": "HW_BOOT_CFG", "size": "0x200", "seed": 1},'
    while ((left > 0)); do
      piece=$((left > 16380 ? 16380 : left))
      sections="$sections {\"type\": \"MAIN_CODE\", \"size\": \"${piece}KiB\", \"seed\": $seed},"
      left=$((left - piece))
      seed=$((seed + 1))
    done
  fi
  cat >"$out.json" <<JSON
{
  "device": "cx6dx", "fwVersion": "$version", "releaseDate": "2024-03-15",
  "psid": "MT_0000000528", "partNumber": "MCX623106AN-CDA_Ax",
  "description": "kiln bench image", "productVersion": "$version", "securityVersion": 1,
  "flags": ["mcc_en", "long_keys", "secure_fw", "signed_fw"],
  "guids": {"base": "0c42a10300aa5500", "count": 8},
  "macs": {"base": "0c:42:a1:aa:55:00", "count": 8},
  "imageSize": "${size}MiB", "log2SlotSize": $log2,
  "sections": [ $sections {"type": "FW_MAIN_CFG", "size": "0x400", "fill": "0x00"} ],
  "reserve": ["IMAGE_SIGNATURE_256", "IMAGE_SIGNATURE_512", "PUBLIC_KEYS_2048",
    "PUBLIC_KEYS_4096", "FORBIDDEN_VERSIONS"]
}
JSON
  [[ -f "$bench_work/keys4096.bin" ]] ||
    "$kiln_cmd" keys pack --out "$bench_work/keys4096.bin" --size 0x1100 \
      --key "$sample_keys/sample-rsa4096-NOT-FOR-PRODUCTION.pub.pem" --uuid "$sample_uuid" >/dev/null
  "$kiln_cmd" build "$out.json" --out "$out.raw" >/dev/null
  "$kiln_cmd" set-public-keys "$out.raw" "$bench_work/keys4096.bin" --out "$out" \
    --audit-log "$bench_work/setup-audit.jsonl" >/dev/null 2>&1
  rm -f "$out.raw" "$out.json"
}

# kiln sign's key options for the sample key (kiln refuses it without --allow-sample-keys).
sign_key=(--key "file:$sample_key" --key-uuid "$sample_uuid" --allow-sample-keys)

bench_command_line="$*"
