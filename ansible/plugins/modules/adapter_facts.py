#!/usr/bin/python
# -*- coding: utf-8 -*-
# Adapter facts from `kiln devices --json` (and `kiln query --json` for security attributes).
from __future__ import annotations

DOCUMENTATION = r"""
---
module: adapter_facts
short_description: Facts about the host's ConnectX adapters, from kiln devices
description:
  - Runs C(kiln devices --json) on the host and returns one fact per adapter (every PCI function
    with the Mellanox vendor id, plus the devices named in I(devices)), with PSID, PCI and HW device
    ids, running and pending firmware versions, or why the adapter does not answer.
  - With I(security=true) each adapter that answered is also asked C(kiln query --json
    --no-read-back) for its security attributes (secure or signed FW, life cycle, secure boot,
    eFuse security version, HW access lock). No update handle is taken and nothing is written.
  - The module is thin on purpose; what each member means is documented in kiln's docs/burner.md
    (C(kiln devices) and C(kiln query)).
version_added: "0.1.0"
author: Kiln project
options:
  devices:
    description:
      - Device URIs to list besides the host's own adapters (C(tcp://127.0.0.1:PORT?token-file=FILE)
        for an emulated adapter served by C(kiln device serve), C(pci:0000:03:00.0), C(mlx5_0)).
    type: list
    elements: str
    default: []
  security:
    description: Also query the security attributes of every adapter that answered.
    type: bool
    default: true
  kiln:
    description: The kiln launcher, a path or a name looked up on PATH.
    type: str
    default: kiln
notes:
  - Supports check mode (it only reads).
  - Reaching a real adapter's PCI gateway needs root (CAP_SYS_ADMIN).
"""

EXAMPLES = r"""
- name: Gather the adapters of every host
  kiln.firmware.adapter_facts:

- name: An emulated adapter (kiln device serve) besides the host's own
  kiln.firmware.adapter_facts:
    devices:
      - "tcp://127.0.0.1:4711?token-file=/var/lib/kiln/dev/daemon.token"
    security: false

- name: Show which adapters run what
  ansible.builtin.debug:
    msg: "{{ item.device }} {{ item.psid }} {{ item.running_version }}"
  loop: "{{ kiln_adapters }}"
"""

RETURN = r"""
ansible_facts:
  description: Facts added to the host.
  returned: always
  type: dict
  contains:
    kiln_adapters:
      description: One entry per adapter, in kiln's order (host adapters by address, then named ones).
      type: list
      elements: dict
      contains:
        device: {description: The device URI kiln uses for it., type: str, sample: "pci:0000:03:00.0"}
        answered: {description: Whether the query succeeded., type: bool}
        error: {description: Why it did not answer, else null., type: str}
        psid: {description: The board PSID., type: str, sample: MT_0000000528}
        pci_device_id: {description: PCI device id (hex string)., type: str, sample: "0x101d"}
        hw_device_id: {description: MGIR hw_dev_id (hex string)., type: str, sample: "0x212"}
        device_name: {description: Chip name., type: str, sample: ConnectX-6 Dx}
        running_version: {description: The running FW version., type: str, sample: 22.39.1002}
        pending_version: {description: An activated image waiting for a reset, else null., type: str}
        rdma_names: {description: mlx5_N names of a host adapter., type: list, elements: str}
        mst_name: {description: The /dev/mst name of a host adapter, else null., type: str}
        security:
          description: >-
            With I(security=true) and an answered query: secured, signed_fw,
            security_attributes, life_cycle, secure_boot, security_version, hw_access_locked
            (kiln query --json members). Null otherwise.
          type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.kiln.firmware.plugins.module_utils import kiln_cli

# kiln devices --json member -> fact name.
DEVICE_MEMBERS = {
    "device": "device",
    "answered": "answered",
    "error": "error",
    "psid": "psid",
    "pciDeviceId": "pci_device_id",
    "hwDeviceId": "hw_device_id",
    "deviceName": "device_name",
    "runningVersion": "running_version",
    "pendingVersion": "pending_version",
    "rdmaNames": "rdma_names",
    "mstName": "mst_name",
}

# kiln query --json member -> security fact name.
SECURITY_MEMBERS = {
    "secured": "secured",
    "signedFw": "signed_fw",
    "securityAttributes": "security_attributes",
    "lifeCycle": "life_cycle",
    "secureBoot": "secure_boot",
    "securityVersion": "security_version",
    "hwAccessLocked": "hw_access_locked",
}


def security_of(module, device):
    rc, profile, err = kiln_cli.run_json(
        module, ["query", "--device", device, "--json", "--no-read-back"])
    if rc != 0:
        module.fail_json(msg=kiln_cli.kiln_failure(err, rc), rc=rc, device=device)
    return {fact: profile.get(member) for member, fact in SECURITY_MEMBERS.items()}


def main():
    spec = dict(kiln_cli.COMMON_OPTIONS)
    spec["security"] = dict(type="bool", default=True)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    args = ["devices", "--json"] + kiln_cli.device_args(module.params["devices"])
    rc, listing, err = kiln_cli.run_json(module, args)
    if rc != 0:
        module.fail_json(msg=kiln_cli.kiln_failure(err, rc), rc=rc)
    adapters = []
    for entry in listing.get("devices", []):
        fact = {name: entry.get(member) for member, name in DEVICE_MEMBERS.items()}
        fact["security"] = None
        if module.params["security"] and entry.get("answered"):
            fact["security"] = security_of(
                module, kiln_cli.as_given(entry["device"], module.params["devices"]))
        adapters.append(fact)
    module.exit_json(changed=False, ansible_facts={"kiln_adapters": adapters})


if __name__ == "__main__":
    main()
