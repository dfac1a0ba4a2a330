#!/usr/bin/python
# -*- coding: utf-8 -*-
# The fleet report: every host's fetched kiln JSON merged into one JSON document and one table.
from __future__ import annotations

DOCUMENTATION = r"""
---
module: fleet_report
short_description: Merge the per-host results of a kiln rollout into one fleet report
description:
  - Runs on the controller. Reads, for every host named in O(hosts), what the rollout fetched into
    O(report_dir)C(/hosts/HOST/) (C(adapters.json) from M(kiln.firmware.adapter_facts),
    C(precheck.json) and C(update.json), the documents of C(kiln update --dry-run --json) and
    C(kiln update --json), C(activate.json) from M(kiln.firmware.activate), and C(burn.log)), and
    writes C(fleet-report.json) and C(fleet-report.txt) there (each to a temporary file, then
    renamed).
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
  waves:
    description: The wave each host ran in (null for a host never reached).
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
    on it); it touches nothing but O(report_dir).
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
    rows:
      description: One per host and adapter.
      type: list
      elements: dict
      contains:
        host: {description: Inventory host name., type: str}
        wave: {description: The wave it ran in (1 is the canary), or null., type: int}
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


def error_findings(entry):
    return [f for f in entry.get("findings") or [] if f.get("severity") == "ERROR"]


def codes_of(entry):
    codes = []
    for finding in error_findings(entry):
        if finding.get("code") not in codes:
            codes.append(finding.get("code"))
    return codes


def reason_of(entry):
    errors = error_findings(entry)
    return errors[0].get("message") if errors else None


def rows_of_host(host, wave, folder, halted):
    adapters = read_json(os.path.join(folder, "adapters.json")) or []
    precheck = read_json(os.path.join(folder, "precheck.json"))
    update = read_json(os.path.join(folder, "update.json"))
    activate = read_json(os.path.join(folder, "activate.json")) or {}
    log = os.path.join(folder, "burn.log")
    log = log if os.path.exists(log) else None
    reset = {d["device"]: d for d in activate.get("devices") or [] if d.get("action") == "reset"}
    rows = []

    def row(entry, result, after):
        return dict(
            host=host, wave=wave, adapter=entry.get("device"), psid=entry.get("psid"),
            before=versions(entry.get("runningVersionBefore"), entry.get("pendingVersionBefore")),
            after=after, result=result, finding_codes=codes_of(entry), reason=reason_of(entry),
            burn_log=log)

    if update is not None:
        for entry in update.get("devices", []):
            action = entry.get("action")
            after = versions(entry.get("runningVersionAfter"), entry.get("pendingVersionAfter"))
            if action == "burned" and entry.get("device") in reset:
                action = "burned-and-reset"
                after = versions(reset[entry["device"]].get("running_version_after"), None)
            elif action not in ("burned", "up-to-date"):
                after = versions(entry.get("runningVersionBefore"), entry.get("pendingVersionBefore"))
            rows.append(row(entry, action, after))
        return rows
    if precheck is not None:
        for entry in precheck.get("devices", []):
            failed = entry.get("exitCode", 0) != 0
            result = ("precheck-" + entry.get("action")) if failed else "not-started"
            before = versions(entry.get("runningVersionBefore"), entry.get("pendingVersionBefore"))
            rows.append(row(entry, result, before))
        return rows
    for adapter in adapters:
        rows.append(dict(
            host=host, wave=wave, adapter=adapter.get("device"), psid=adapter.get("psid"),
            before=versions(adapter.get("running_version"), adapter.get("pending_version")),
            after=versions(adapter.get("running_version"), adapter.get("pending_version")),
            result="not-started" if halted else "no-data", finding_codes=[],
            reason=adapter.get("error"), burn_log=log))
    if not rows:
        rows.append(dict(host=host, wave=wave, adapter=None, psid=None, before="-", after="-",
                         result="no-data", finding_codes=[],
                         reason="nothing was fetched from this host", burn_log=log))
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
            waves=dict(type="dict", default={}),
            halt=dict(type="dict"),
            check_mode_run=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    p = module.params
    os.makedirs(p["report_dir"], exist_ok=True)
    rows = []
    for host in p["hosts"]:
        wave = p["waves"].get(host)
        wave = int(wave) if wave not in (None, "") else None
        rows.extend(rows_of_host(host, wave, os.path.join(p["report_dir"], "hosts", host),
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
    report = dict(status=status, halt=p["halt"], counts=counts, rows=rows,
                  check_mode=p["check_mode_run"])
    table = table_of(report)
    write(module, os.path.join(p["report_dir"], "fleet-report.json"),
          json.dumps(report, indent=2, sort_keys=True) + "\n")
    write(module, os.path.join(p["report_dir"], "fleet-report.txt"), table)
    module.exit_json(changed=False, report=report, table=table)


if __name__ == "__main__":
    main()
