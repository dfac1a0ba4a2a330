#!/usr/bin/env bash
# Sets up the lab that release.json, policy.json and the CI examples run against, with nothing
# but kiln, SoftHSM2 and pkcs11-tool (examples/README.md walks through it):
#   LAB/token/           a SoftHSM2 token 'release' with new keys fw-rsa2048 (signs images) and
#                        fw-rsa4096 (signs the forbidden-versions feed), made on the token
#   LAB/board/           an emulated ConnectX-6 Dx running 22.40.2000, which trusts fw-rsa2048
#   keys/release-rsa2048.pub.pem, keys/feed-signing.pub.pem   the public keys (kiln keys export)
#   targets/lab-cx6dx.json                                    the board's profile (kiln query)
#   feeds/forbidden-versions.json                             a signed feed, valid for 90 days
# (the last three next to this script, where release.json and policy.json name them).
#
# Usage: setup-lab.sh LAB        (LAB must not exist yet, or be empty)
# Runs the `kiln` on PATH (the distribution, docs/install.md); KILN=/path/to/kiln picks another.
# Afterwards, as it prints: export SOFTHSM2_CONF=LAB/token/softhsm2.conf and KILN_PIN.
# A lab token's PIN is a fixed sample PIN: real keys live in an HSM or KMS (docs/key-references.md).
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 LAB" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$1"
lab="$(cd "$1" && pwd)"
if [[ -n "$(ls -A "$lab")" ]]; then
  echo "$lab is not empty" >&2
  exit 1
fi
kiln="${KILN:-kiln}"
uuid=3c1a9e2b-5d47-4f80-a6b2-91e0c4d7f215   # the release key's UUID in release.json

"$here/../keys-sample/softhsm/create-token.sh" --generate "$lab/token" release >/dev/null
export SOFTHSM2_CONF="$lab/token/softhsm2.conf"
pin="pin-source=file:$lab/token/user-pin.txt"
release_key="pkcs11:token=release;object=fw-rsa2048?$pin"
feed_key="pkcs11:token=release;object=fw-rsa4096?$pin"

mkdir -p "$here/keys" "$here/targets" "$here/feeds"
"$kiln" keys export "$release_key" --out "$here/keys/release-rsa2048.pub.pem"
"$kiln" keys export "$feed_key" --out "$here/keys/feed-signing.pub.pem"

# The board's first image: built, the release key provisioned into PUBLIC_KEYS_2048, signed.
"$kiln" build "$here/lab/cx6dx-22.40.2000.json" --out "$lab/running.bin" >/dev/null
"$kiln" keys export "$release_key" --uuid "$uuid" --size 0x900 --out "$lab/public-keys-2048.bin"
"$kiln" set-public-keys "$lab/running.bin" "$lab/public-keys-2048.bin" >/dev/null
"$kiln" sign "$lab/running.bin" --key "$release_key" --key-uuid "$uuid" >/dev/null
"$kiln" device init "$lab/board" --device cx6dx --psid MT_0000000528 --image "$lab/running.bin" \
  >/dev/null
"$kiln" query --device "emu:$lab/board" --json >"$lab/lab-cx6dx.json"
mv "$lab/lab-cx6dx.json" "$here/targets/lab-cx6dx.json"

# The forbidden-versions feed a security team would publish (docs/pipeline.md).
issued="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
expires="$(date -u -d '+90 days' +%Y-%m-%dT%H:%M:%SZ)"
cat >"$lab/feed-body.json" <<FEED
{"feed": {"format": "kiln-forbidden-versions-v1", "issued": "$issued", "expires": "$expires",
  "sequence": 1,
  "entries": [{"psid": "MT_0000000528", "versions": ["22.39.1002"], "reason": "example recall"}]}}
FEED
"$kiln" feed sign "$lab/feed-body.json" --key "$feed_key" --out "$here/feeds/forbidden-versions.json" \
  >/dev/null

cat <<DONE
Lab ready in $lab. For kiln release and the token:
export SOFTHSM2_CONF=$lab/token/softhsm2.conf
export KILN_PIN="\$(cat $lab/token/user-pin.txt)"
DONE
