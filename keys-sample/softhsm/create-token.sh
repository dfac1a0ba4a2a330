#!/usr/bin/env bash
# Creates a SoftHSM2 token holding the Kiln SAMPLE keys (NOT FOR PRODUCTION), for demos and
# manual tests of pkcs11: key references.
#
# Usage: create-token.sh DIR [TOKEN_LABEL]
#   DIR          gets softhsm2.conf, tokens/ and user-pin.txt (created if missing; must not
#                already hold a token with the same label)
#   TOKEN_LABEL  default: kiln-sample
#
# Keys on the token (private and public objects, imported with softhsm2-util):
#   label sample-rsa2048, id 0800  (the RSA-2048 sample key)
#   label sample-rsa4096, id 1000  (the RSA-4096 sample key)
# The same layout as dev.kiln.testkit.SoftHsmToken uses in tests.
#
# The PIN is written to DIR/user-pin.txt (mode 600) and never passed to kiln on the command line:
# key references name it with pin-source=file:DIR/user-pin.txt.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 DIR [TOKEN_LABEL]" >&2
  exit 2
fi
command -v softhsm2-util >/dev/null || { echo "softhsm2-util not found (apt-get install softhsm2)" >&2; exit 3; }

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

softhsm2-util --import "$keys/sample-rsa2048-NOT-FOR-PRODUCTION.pem" --slot "$slot" \
  --label sample-rsa2048 --id 0800 --pin "$user_pin" >/dev/null
softhsm2-util --import "$keys/sample-rsa4096-NOT-FOR-PRODUCTION.pem" --slot "$slot" \
  --label sample-rsa4096 --id 1000 --pin "$user_pin" >/dev/null

umask 077
printf '%s\n' "$user_pin" >"$dir/user-pin.txt"

cat <<DONE
Token '$label' (slot $slot) holds the SAMPLE keys (NOT FOR PRODUCTION).
export SOFTHSM2_CONF=$dir/softhsm2.conf
Key references:
  pkcs11:token=$label;object=sample-rsa2048?module-path=$module&pin-source=file:$dir/user-pin.txt
  pkcs11:token=$label;object=sample-rsa4096?module-path=$module&pin-source=file:$dir/user-pin.txt
DONE
