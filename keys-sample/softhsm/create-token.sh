#!/usr/bin/env bash
# Creates a SoftHSM2 token for pkcs11: key references: by default holding the Kiln SAMPLE keys
# (NOT FOR PRODUCTION), for demos and manual tests; with --generate, holding fresh key pairs made
# on the token (the private halves never leave it), for a lab that follows examples/.
#
# Usage: create-token.sh [--generate] DIR [TOKEN_LABEL]
#   --generate   generate new keys instead of importing the sample keys
#   DIR          gets softhsm2.conf, tokens/ and user-pin.txt (created if missing; must not
#                already hold a token with the same label)
#   TOKEN_LABEL  default: kiln-sample
#
# Keys on the token (private and public objects):
#   default:     label sample-rsa2048, id 0800 (the RSA-2048 sample key)
#                label sample-rsa4096, id 1000 (the RSA-4096 sample key)
#                imported with softhsm2-util; the same layout as dev.kiln.testkit.SoftHsmToken.
#   --generate:  label fw-rsa2048, id 0800 (a new RSA-2048 key)
#                label fw-rsa4096, id 1000 (a new RSA-4096 key)
#                generated with pkcs11-tool (package opensc), the names examples/release.json uses.
#
# The PIN is written to DIR/user-pin.txt (mode 600) and never passed to kiln on the command line:
# key references name it with pin-source=file:DIR/user-pin.txt (or env:VAR).
set -euo pipefail

generate=false
if [[ "${1:-}" == --generate ]]; then
  generate=true
  shift
fi
if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 [--generate] DIR [TOKEN_LABEL]" >&2
  exit 2
fi
command -v softhsm2-util >/dev/null || { echo "softhsm2-util not found (apt-get install softhsm2)" >&2; exit 3; }
if [[ "$generate" == true ]]; then
  command -v pkcs11-tool >/dev/null || { echo "pkcs11-tool not found (apt-get install opensc)" >&2; exit 3; }
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
keys="$here/../src/main/resources/dev/kiln/keys"
dir="$(mkdir -p "$1" && cd "$1" && pwd)"
label="${2:-kiln-sample}"
module=/usr/lib/softhsm/libsofthsm2.so
user_pin="1234-NOT-FOR-PRODUCTION"
so_pin="5678-NOT-FOR-PRODUCTION"

mkdir -p "$dir/tokens"
cat >"$dir/softhsm2.conf" <<CONF
# Written by keys-sample/softhsm/create-token.sh
directories.tokendir = $dir/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
export SOFTHSM2_CONF="$dir/softhsm2.conf"

# Label matching in softhsm2-util is exact, but refuse a duplicate so references stay unambiguous.
if softhsm2-util --show-slots | grep -qE "^ *Label: *${label} *\$"; then
  echo "a token labelled '$label' already exists in $dir/tokens" >&2
  exit 1
fi

out="$(softhsm2-util --init-token --free --label "$label" --pin "$user_pin" --so-pin "$so_pin")"
slot="$(sed -n 's/.*reassigned to slot \([0-9][0-9]*\).*/\1/p' <<<"$out")"
[[ -n "$slot" ]] || { echo "softhsm2-util did not report the slot: $out" >&2; exit 1; }

if [[ "$generate" == true ]]; then
  prefix=fw
  for bits in 2048 4096; do
    id=$([[ $bits == 2048 ]] && echo 0800 || echo 1000)
    pkcs11-tool --module "$module" --token-label "$label" --login --pin "$user_pin" \
      --keypairgen --key-type "rsa:$bits" --usage-sign --label "fw-rsa$bits" --id "$id" >/dev/null
  done
else
  prefix=sample
  softhsm2-util --import "$keys/sample-rsa2048-NOT-FOR-PRODUCTION.pem" --slot "$slot" \
    --label sample-rsa2048 --id 0800 --pin "$user_pin" >/dev/null
  softhsm2-util --import "$keys/sample-rsa4096-NOT-FOR-PRODUCTION.pem" --slot "$slot" \
    --label sample-rsa4096 --id 1000 --pin "$user_pin" >/dev/null
fi

umask 077
printf '%s\n' "$user_pin" >"$dir/user-pin.txt"

if [[ "$generate" == true ]]; then
  what="new keys generated on the token (a lab token: its PIN is in $dir/user-pin.txt)"
else
  what="the SAMPLE keys (NOT FOR PRODUCTION)"
fi
cat <<DONE
Token '$label' (slot $slot) holds $what.
export SOFTHSM2_CONF=$dir/softhsm2.conf
Key references:
  pkcs11:token=$label;object=$prefix-rsa2048?module-path=$module&pin-source=file:$dir/user-pin.txt
  pkcs11:token=$label;object=$prefix-rsa4096?module-path=$module&pin-source=file:$dir/user-pin.txt
DONE
