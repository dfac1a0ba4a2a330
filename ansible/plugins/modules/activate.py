#!/usr/bin/python
# -*- coding: utf-8 -*-
# Activation of pending firmware: `kiln device reset` on every adapter with a pending image.
from __future__ import annotations

DOCUMENTATION = r"""
---
module: activate
short_description: Load the pending firmware image of the host's adapters (firmware reset)
description:
  - Lists the adapters with C(kiln devices --json); each one with a pending image (burned and
    activated, waiting for a reset) is reset with C(kiln device reset) (MFRL at the lowest level
    the adapter supports, as mstfwreset), so the pending image becomes the running one. The
    adapters are listed again afterwards for the running versions.
  - An adapter with nothing pending is left alone (C(changed=false)); re-running after a reset
    changes nothing.
  - In check mode nothing is reset; C(changed=true) when an adapter would be.
  - Leaving the image pending for the next maintenance reboot is the other activation policy;
    for it, do not run this module.
version_added: "0.1.0"
author: Kiln project
options:
  devices:
    description:
      - The devices to consider (device URIs, or the C(mlx5_N) / C(/dev/mst) names of host
        adapters). Default, none given, every host adapter.
    type: list
    elements: str
    default: []
  kiln:
    description: The kiln launcher, a path or a name looked up on PATH.
    type: str
    default: kiln
notes:
  - Supports check mode.
  - A firmware reset interrupts the adapter's traffic for the reset's duration; drain the host
    first.
"""

EXAMPLES = r"""
- name: Load the burned image now
  kiln.firmware.activate:
    devices: "{{ kiln_update.burned }}"
  when: kiln_update is changed

- name: Reset every host adapter that has a pending image
  kiln.firmware.activate:
"""

RETURN = r"""
devices:
  description: One entry per adapter considered.
  returned: always
  type: list
  elements: dict
  contains:
    device: {description: The device URI., type: str}
    action: {description: reset, would-reset or nothing-pending., type: str}
    running_version_before: {description: Running version before., type: str}
    pending_version_before: {description: The pending version (null when nothing was pending)., type: str}
    running_version_after: {description: Running version after the reset (or before, when not reset)., type: str}
reset:
  description: The devices reset (or that would be, in check mode).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.kiln.firmware.plugins.module_utils import kiln_cli


def listing(module, named):
    rc, document, err = kiln_cli.run_json(
        module, ["devices", "--json"] + kiln_cli.device_args(named))
    if rc != 0:
        module.fail_json(msg=kiln_cli.kiln_failure(err, rc), rc=rc)
    return document.get("devices", [])


def is_named(entry, named):
    if not named:
        return True
    names = set(entry.get("rdmaNames") or [])
    if entry.get("mstName"):
        names.add(entry["mstName"])
    return bool(names.intersection(named)) or kiln_cli.as_given(entry["device"], named) in named


def main():
    module = AnsibleModule(argument_spec=dict(kiln_cli.COMMON_OPTIONS), supports_check_mode=True)
    named = module.params["devices"]
    before = [entry for entry in listing(module, named) if is_named(entry, named)]
    unanswered = [e for e in before if not e.get("answered")]
    if unanswered:
        module.fail_json(
            msg="; ".join("%s does not answer: %s" % (e["device"], e.get("error"))
                          for e in unanswered))
    pending = [e["device"] for e in before if e.get("pendingVersion")]
    for device in pending if not module.check_mode else []:
        rc, out, err = kiln_cli.run(
            module, ["device", "reset", "--device", kiln_cli.as_given(device, named)])
        if rc != 0:
            module.fail_json(msg=kiln_cli.kiln_failure(err, rc), rc=rc, device=device,
                             reset=pending[:pending.index(device)])
    running_after = {e["device"]: e.get("runningVersion") for e in before}
    if pending and not module.check_mode:
        for entry in listing(module, named):
            running_after[entry["device"]] = entry.get("runningVersion")
    devices = []
    for entry in before:
        if entry["device"] in pending:
            action = "would-reset" if module.check_mode else "reset"
        else:
            action = "nothing-pending"
        devices.append(dict(
            device=entry["device"], action=action,
            running_version_before=entry.get("runningVersion"),
            pending_version_before=entry.get("pendingVersion"),
            running_version_after=running_after.get(entry["device"])))
    module.exit_json(changed=bool(pending), devices=devices, reset=pending)


if __name__ == "__main__":
    main()
