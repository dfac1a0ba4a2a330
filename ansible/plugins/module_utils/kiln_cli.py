# -*- coding: utf-8 -*-
# Runs the kiln CLI for the modules of kiln.firmware. Every decision about images and devices is
# kiln's; this file only builds the argument vector and reads the one JSON document kiln prints.
from __future__ import annotations

import json
import os

# Module options every module of the collection shares (merged into each argument_spec).
COMMON_OPTIONS = dict(
    kiln=dict(type="str", default="kiln"),
    devices=dict(type="list", elements="str", default=[]),
)


def kiln_executable(module):
    """The kiln launcher: a path as given, else looked up on PATH (fails the task if absent)."""
    name = module.params["kiln"]
    if os.sep in name:
        return name
    return module.get_bin_path(name, required=True)


def device_args(devices):
    """--device DEV for each device named (none: kiln works on the host's adapters)."""
    args = []
    for device in devices:
        args.extend(["--device", device])
    return args


def run(module, args):
    """Runs kiln ARGS; returns (rc, stdout, stderr). Device URIs and paths only: never a key."""
    return module.run_command([kiln_executable(module)] + list(args), check_rc=False)


def kiln_failure(stderr, rc):
    """The one `kiln: ...` line kiln prints on failure, or the last stderr line."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("kiln:"):
            return line
    return lines[-1] if lines else "kiln exited with code %d and printed nothing" % rc


def run_json(module, args):
    """Runs kiln ARGS (with --json among them) and returns (rc, document, stderr).

    A run that printed no JSON document (a usage error, an unreadable input, no device at all)
    fails the task with kiln's own `kiln:` line and exit code.
    """
    rc, out, err = run(module, args)
    try:
        document = json.loads(out)
    except ValueError:
        module.fail_json(msg=kiln_failure(err, rc), rc=rc, stderr=err, stdout=out)
    return rc, document, err


def error_codes(findings):
    """The finding codes of severity ERROR, in order, each once."""
    codes = []
    for finding in findings or []:
        if finding.get("severity") == "ERROR" and finding.get("code") not in codes:
            codes.append(finding.get("code"))
    return codes


def as_given(device, named):
    """The device as the operator named it, for the next kiln command on it.

    kiln prints a tcp:// device without its ?token-file=FILE (the text names the device in
    messages and logs); the next command needs the file again, so the named form is used.
    """
    for name in named:
        if name == device or name.split("?", 1)[0] == device:
            return name
    return device


# kiln update --json device member -> the name in Ansible results and the fleet report.
UPDATE_MEMBERS = {
    "device": "device",
    "psid": "psid",
    "action": "action",
    "runningVersionBefore": "running_version_before",
    "pendingVersionBefore": "pending_version_before",
    "image": "image",
    "imageVersion": "image_version",
    "runningVersionAfter": "running_version_after",
    "pendingVersionAfter": "pending_version_after",
    "findings": "findings",
    "message": "message",
    "exitCode": "exit_code",
}


def update_devices(document):
    """The devices of a kiln update --json document, snake_case, with their ERROR codes."""
    devices = []
    for entry in document.get("devices", []):
        device = {name: entry.get(member) for member, name in UPDATE_MEMBERS.items()}
        device["finding_codes"] = error_codes(entry.get("findings"))
        devices.append(device)
    return devices
