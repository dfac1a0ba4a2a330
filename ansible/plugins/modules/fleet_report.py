#!/usr/bin/python
# -*- coding: utf-8 -*-
# The fleet report: every host's fetched kiln JSON merged into one JSON document and one table.
from __future__ import annotations

DOCUMENTATION = r"""
---
module: fleet_report
short_description: Merge the per-host results of a kiln rollout into one fleet report
description:
  - Runs on the controller. For every host named in I(hosts) it reads what the rollout fetched
    into I(report_dir)C(/hosts/HOST/) (C(update.json), the document of C(kiln update --json),
    and C(burn.log), kiln's burn log) and what the plays recorded in I(progress) (the wave, the
    adapter facts, the pre-check and the activation results), and writes C(fleet-report.json)
    and C(fleet-report.txt) there (each to a temporary file, then renamed).
  - One row per host and adapter - host, wave, adapter (device URI and PSID), version before,
    version after, result, kiln's finding codes and the reason of a failure. A host the rollout
    never reached (halted before its wave) is C(not-started) with its pre-check versions, so the
    report shows every host.
version_added: "0.1.0"
author: Kiln project
options:
  report_dir:
    description: The controller directory holding C(hosts/HOST/); the report is written here.
    type: path
    required: true
  hosts:
    description: The hosts of the rollout, in rollout order.
    type: list
    elements: str
    required: true
  progress:
    description:
      - Per host, C(wave) (the wave it ran in, 1 is the canary; null for a host never reached),
        C(changed) (the update task's changed, null when it did not run), C(adapters) (the
        C(kiln_adapters) facts), C(precheck) (the devices of the pre-check's
        M(kiln.firmware.update) result) and C(activate) (the devices of the
        M(kiln.firmware.activate) result) and C(failure) (why the host failed); each may be
        null.
    type: dict
    default: {}
  halt:
    description: Why the rollout halted (stage, wave, hosts, reason), when it did.
    type: dict
  check_mode_run:
    description: The rollout ran in check mode (the results are dry runs).
    type: bool
    default: false
notes:
  - Writes the report also when the play runs in check mode (the rollout sets C(check_mode=false)
    on it); it touches nothing but I(report_dir).
"""

EXAMPLES = r"""
- name: Merge every host's JSON into one report
  kiln.firmware.fleet_report:
    report_dir: /srv/rollouts/2026-12-04
    hosts: "{{ groups['fleet'] }}"
  check_mode: false
"""

RETURN = r"""
report:
  description: The fleet report (also in fleet-report.json).
  returned: always
  type: dict
  contains:
    status: {description: "complete, halted, failed (some host failed, no halt) or check-mode.", type: str}
    halt: {description: The halt (stage, wave, hosts, reason), or null., type: dict}
    counts: {description: Rows per result., type: dict}
    check_mode: {description: Whether the rollout ran in check mode., type: bool}
    adapters:
      description: Per host, the C(kiln_adapters) facts of M(kiln.firmware.adapter_facts), when gathered.
      type: dict
    rows:
      description: One per host and adapter.
      type: list
      elements: dict
      contains:
        host: {description: Inventory host name., type: str}
        wave: {description: The wave it ran in (1 is the canary), or null., type: int}
        changed: {description: Whether the host's update task changed something (null when it did not run)., type: bool}
        adapter: {description: The device URI., type: str}
        psid: {description: The adapter's PSID., type: str}
        before: {description: Running version before (and the pending one, if any)., type: str}
        after: {description: Running version after (and the pending one, if any)., type: str}
        result:
          description: >-
            burned, burned-and-reset, up-to-date, would-burn, skipped, refused, failed,
            interrupted, precheck-refused, precheck-failed, not-started, or no-data (the host
            failed before its pre-check).
          type: str
        finding_codes: {description: kiln's ERROR finding codes., type: list, elements: str}
        reason: {description: Why it failed (kiln's first error finding), else null., type: str}
        burn_log: {description: The fetched burn log of the host, or null., type: str}
table:
  description: The readable table (also in fleet-report.txt).
  returned: always
  type: str
"""

import json
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.kiln.firmware.plugins.module_utils import kiln_cli

COLUMNS = ["host", "wave", "adapter", "before", "after", "result", "codes"]


def read_json(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def versions(running, pending):
    if running is None:
        return "-"
    return running if not pending else "%s (pending %s)" % (running, pending)


def rows_of_host(host, progress, folder, halted):
    wave = progress.get("wave")
    wave = int(wave) if wave not in (None, "") else None
    adapters = progress.get("adapters") or []
    precheck = progress.get("precheck")
    update = read_json(os.path.join(folder, "update.json"))
    log = os.path.join(folder, "burn.log")
    log = log if os.path.exists(log) else None
    reset = {d["device"]: d for d in progress.get("activate") or [] if d.get("action") == "reset"}
    rows = []

    def row(entry, result, after):
        errors = [f for f in entry.get("findings") or [] if f.get("severity") == "ERROR"]
        return dict(
            host=host, wave=wave, changed=progress.get("changed"), adapter=entry.get("device"),
            psid=entry.get("psid"),
            before=versions(entry.get("running_version_before"),
                            entry.get("pending_version_before")),
            after=after, result=result, finding_codes=entry.get("finding_codes") or [],
            reason=errors[0].get("message") if errors else None, burn_log=log)

    if update is not None:
        for entry in kiln_cli.update_devices(update):
            action = entry["action"]
            after = versions(entry["running_version_after"], entry["pending_version_after"])
            if action == "burned" and entry["device"] in reset:
                action = "burned-and-reset"
                after = versions(reset[entry["device"]].get("running_version_after"), None)
            elif action not in ("burned", "up-to-date"):
                after = versions(entry["running_version_before"], entry["pending_version_before"])
            rows.append(row(entry, action, after))
        return rows
    if precheck is not None:
        for entry in precheck:
            failed = (entry.get("exit_code") or 0) != 0
            result = ("precheck-" + entry["action"]) if failed else "not-started"
            before = versions(entry.get("running_version_before"), entry.get("pending_version_before"))
            rows.append(row(entry, result, before))
        return rows
    for adapter in adapters:
        state = versions(adapter.get("running_version"), adapter.get("pending_version"))
        rows.append(dict(
            host=host, wave=wave, changed=None, adapter=adapter.get("device"),
            psid=adapter.get("psid"), before=state, after=state,
            result="not-started" if halted else "no-data", finding_codes=[],
            reason=adapter.get("error"), burn_log=log))
    if not rows:
        rows.append(dict(host=host, wave=wave, changed=None, adapter=None, psid=None, before="-",
                         after="-", result="no-data", finding_codes=[],
                         reason=progress.get("failure") or "the host failed before its pre-check",
                         burn_log=log))
    return rows


def table_of(report):
    cells = [COLUMNS]
    for r in report["rows"]:
        cells.append([r["host"], "-" if r["wave"] is None else str(r["wave"]),
                      (r["adapter"] or "-") + (" " + r["psid"] if r["psid"] else ""),
                      r["before"], r["after"], r["result"], ",".join(r["finding_codes"]) or "-"])
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.append("")
    lines.append("status: %s; %s" % (report["status"], ", ".join(
        "%s %d" % (k, v) for k, v in sorted(report["counts"].items()))))
    if report["halt"]:
        lines.append("halted: %s" % report["halt"].get("reason", "").strip())
    for r in report["rows"]:
        if r["reason"] and r["result"] not in ("not-started",):
            lines.append("%s %s: %s" % (r["host"], r["adapter"], r["reason"]))
    return "\n".join(lines) + "\n"


def write(module, path, text):
    handle, temporary = tempfile.mkstemp(prefix=".fleet-report-", dir=os.path.dirname(path))
    with os.fdopen(handle, "w") as out:
        out.write(text)
    module.atomic_move(temporary, path)


GOOD = ("burned", "burned-and-reset", "up-to-date", "would-burn", "skipped")


def main():
    module = AnsibleModule(
        argument_spec=dict(
            report_dir=dict(type="path", required=True),
            hosts=dict(type="list", elements="str", required=True),
            progress=dict(type="dict", default={}),
            halt=dict(type="dict"),
            check_mode_run=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    p = module.params
    os.makedirs(p["report_dir"], exist_ok=True)
    rows = []
    for host in p["hosts"]:
        rows.extend(rows_of_host(host, p["progress"].get(host) or {},
                                 os.path.join(p["report_dir"], "hosts", host),
                                 p["halt"] is not None))
    counts = {}
    for r in rows:
        counts[r["result"]] = counts.get(r["result"], 0) + 1
    if p["halt"]:
        status = "halted"
    elif any(r["result"] not in GOOD for r in rows):
        status = "failed"
    else:
        status = "check-mode" if p["check_mode_run"] else "complete"
    adapters = {host: (p["progress"].get(host) or {}).get("adapters") for host in p["hosts"]}
    report = dict(status=status, halt=p["halt"], counts=counts, rows=rows,
                  check_mode=p["check_mode_run"],
                  adapters={h: a for h, a in adapters.items() if a is not None})
    table = table_of(report)
    write(module, os.path.join(p["report_dir"], "fleet-report.json"),
          json.dumps(report, indent=2, sort_keys=True) + "\n")
    write(module, os.path.join(p["report_dir"], "fleet-report.txt"), table)
    module.exit_json(changed=False, report=report, table=table)


if __name__ == "__main__":
    main()
