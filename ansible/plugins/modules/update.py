#!/usr/bin/python
# -*- coding: utf-8 -*-
# Firmware update of the host's adapters: `kiln update --json`, mapped to an Ansible result.
from __future__ import annotations

DOCUMENTATION = r"""
---
module: update
short_description: Bring the host's adapters to the image a signed kiln bundle holds for them
description:
  - Runs C(kiln update --json) with the staged bundle (and forbidden-versions feed). kiln verifies
    the bundle, picks the image for each adapter's PSID, treats an adapter that already has that
    version on flash as up to date, pre-checks a newer image and burns it through the controlled
    (MCC) update path. This module decides nothing itself; it maps kiln's JSON document to the
    task result.
  - Every adapter up to date (or skipped, the bundle serving no image for its PSID) gives
    C(changed=false); an adapter burned gives C(changed=true); an adapter refused (by the
    pre-check, the bundle, the feed or the device) or failed fails the task with kiln's finding
    codes in C(finding_codes).
  - In check mode (or with I(dry_run=true)) it runs C(kiln update --dry-run), every check with no
    update handle taken, nothing written to any adapter; C(changed=true) when an adapter would be
    burned.
  - A burned image is activated and pending until a firmware reset (M(kiln.firmware.activate)) or
    a reboot.
version_added: "0.1.0"
author: Kiln project
options:
  bundle:
    description: The release bundle on the host (C(kiln bundle create)).
    type: path
    required: true
  trust:
    description: PEM public keys trusted to sign the bundle's manifest.
    type: list
    elements: path
    required: true
  forbidden:
    description: A signed forbidden-versions feed (C(kiln feed)); every image it forbids is refused.
    type: path
  feed_trust:
    description: PEM public keys trusted to sign the feed (required with I(forbidden)).
    type: list
    elements: path
    default: []
  devices:
    description:
      - The devices to update (any kiln device URI or mstflint-style name). Default, none given,
        every adapter of the host the bundle serves.
    type: list
    elements: str
    default: []
  read_back:
    description:
      - Read each adapter's running image back before the pre-check, so the keys it trusts and
        the versions it forbids are checked on the host before anything is written (kiln update
        --read-back). Not in check mode.
    type: bool
    default: false
  dry_run:
    description: Check only, as in check mode (used by the rollout's pre-validation stage).
    type: bool
    default: false
  log:
    description: kiln's hash-chained burn log on the host; one record per burn attempt is appended.
    type: path
  log_key:
    description: HMAC key reference for the burn log's chain (a file path or a pkcs11 URI), with I(log).
    type: str
  report:
    description:
      - Also save kiln's JSON document here on the host (written to a temporary file and renamed),
        also when the task fails and in check mode, so the rollout can fetch it.
    type: path
  kiln:
    description: The kiln launcher, a path or a name looked up on PATH.
    type: str
    default: kiln
notes:
  - Supports check mode (the dry run).
  - kiln's exit codes and finding codes are documented in kiln's docs/burner.md (C(kiln update)).
"""

EXAMPLES = r"""
- name: Update every adapter the bundle serves
  kiln.firmware.update:
    bundle: /var/lib/kiln/stage/release.kbundle
    trust: [/var/lib/kiln/stage/release-signing.pub]
    forbidden: /var/lib/kiln/stage/forbidden.feed
    feed_trust: [/var/lib/kiln/stage/feed-signing.pub]
    log: /var/lib/kiln/burn.log
  register: kiln_update

- name: Pre-validate only (the dry run), whatever the play's check mode
  kiln.firmware.update:
    bundle: /var/lib/kiln/stage/release.kbundle
    trust: [/var/lib/kiln/stage/release-signing.pub]
    dry_run: true

- name: One named adapter
  kiln.firmware.update:
    bundle: /var/lib/kiln/stage/release.kbundle
    trust: [/var/lib/kiln/stage/release-signing.pub]
    devices: [mlx5_0]
"""

RETURN = r"""
devices:
  description: One entry per device kiln considered (kiln update --json "devices", snake_case).
  returned: when kiln printed its JSON document
  type: list
  elements: dict
  contains:
    device: {description: The device URI., type: str}
    psid: {description: The adapter's PSID (null when it did not answer)., type: str}
    action:
      description: up-to-date, burned, would-burn, skipped, refused, failed or interrupted.
      type: str
    running_version_before: {description: Running version before., type: str}
    pending_version_before: {description: Pending version before (or null)., type: str}
    image: {description: The bundle entry chosen., type: str, sample: images/fw.bin}
    image_version: {description: Its FW version., type: str}
    running_version_after: {description: Running version after a burn (or the versions found when up to date)., type: str}
    pending_version_after: {description: Pending version after a burn (the new image until a reset)., type: str}
    findings: {description: kiln's findings (code, severity, message)., type: list, elements: dict}
    finding_codes: {description: The codes of the ERROR findings., type: list, elements: str}
    message: {description: kiln's one line for the device., type: str}
    exit_code: {description: The exit code of this device alone., type: int}
finding_codes:
  description: The ERROR finding codes of every device, each once (e.g. DEVICE_REJECTED, DOWNGRADE).
  returned: always
  type: list
  elements: str
burned:
  description: >-
    The devices burned by this run (pending until a reset), or that would be in check mode, as
    named in I(devices) (a tcp:// device keeps its token file), for M(kiln.firmware.activate).
  returned: always
  type: list
  elements: str
dry_run:
  description: Whether this was a dry run.
  returned: always
  type: bool
rc:
  description: kiln's exit code (0 up to date, burned, would burn, skipped; 1 refused; 3 unreadable image; 5 device failed).
  returned: always
  type: int
"""

import json
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.kiln.firmware.plugins.module_utils import kiln_cli

def kiln_args(params, dry_run):
    args = ["update", "--bundle", params["bundle"]]
    for key in params["trust"]:
        args.extend(["--trust", key])
    if params["forbidden"]:
        args.extend(["--forbidden", params["forbidden"]])
        for key in params["feed_trust"]:
            args.extend(["--feed-trust", key])
    if params["log"]:
        args.extend(["--log", params["log"]])
        if params["log_key"]:
            args.extend(["--log-key", params["log_key"]])
    if params["read_back"] and not dry_run:
        args.append("--read-back")
    args.append("--dry-run" if dry_run else "--yes")
    args.append("--json")
    return args + kiln_cli.device_args(params["devices"])


def save_report(module, path, document):
    """Writes kiln's document next to PATH and renames it into place."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".kiln-update-", dir=directory)
    with os.fdopen(handle, "w") as out:
        json.dump(document, out, indent=2, sort_keys=True)
        out.write("\n")
    module.atomic_move(temporary, path)


def main():
    spec = dict(kiln_cli.COMMON_OPTIONS)
    spec.update(
        bundle=dict(type="path", required=True),
        trust=dict(type="list", elements="path", required=True),
        forbidden=dict(type="path"),
        feed_trust=dict(type="list", elements="path", default=[]),
        read_back=dict(type="bool", default=False),
        dry_run=dict(type="bool", default=False),
        log=dict(type="path"),
        log_key=dict(type="str", no_log=False),
        report=dict(type="path"),
    )
    module = AnsibleModule(
        argument_spec=spec,
        supports_check_mode=True,
        required_by={"forbidden": "feed_trust", "log_key": "log"},
    )
    dry_run = module.check_mode or module.params["dry_run"]
    rc, document, err = kiln_cli.run_json(module, kiln_args(module.params, dry_run))
    if module.params["report"]:
        save_report(module, module.params["report"], document)
    devices = kiln_cli.update_devices(document)
    wanted = "would-burn" if dry_run else "burned"
    burned = [kiln_cli.as_given(d["device"], module.params["devices"])
              for d in devices if d["action"] == wanted]
    codes = []
    for device in devices:
        codes.extend(c for c in device["finding_codes"] if c not in codes)
    result = dict(
        changed=bool(burned), devices=devices, finding_codes=codes, burned=burned,
        dry_run=dry_run, rc=rc)
    if rc != 0:
        # kiln's one stderr line names each device not updated, its outcome and its codes.
        module.fail_json(msg=kiln_cli.kiln_failure(err, rc), **result)
    module.exit_json(msg="; ".join(d["message"] for d in devices), **result)


if __name__ == "__main__":
    main()
