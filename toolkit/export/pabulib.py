"""A ballot's votes in the pabulib ``.pb`` format, for participatory-budgeting researchers.

pabulib (http://pabulib.org/format) is a ``;``-separated text file with three sections:
``META`` (key;value), ``PROJECTS`` (one row per option: id, cost, votes, name) and
``VOTES`` (one row per anonymous voter: voter_id, the options voted for, and points for
cumulative and scoring ballots). Tools such as ``pabutools.election.parse_pabulib`` read it.

Only ballots whose results are visible are written (hidden ones raise
:class:`~toolkit.export._common.ExportError`); voters are numbered 1..n per file, in the
summary's canonical ballot order, never with the store's ids.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from toolkit.ballots import ballot_rule
from toolkit.export._common import ExportError, Names, export_lang


def default_ballot(summary: dict[str, Any]) -> str:
    """The ballot written when none is named: a visible town-meeting ballot with votes first."""
    visible = [b for b in summary["ballots"] if b["payloads"] is not None and b["votes"]]
    visible.sort(key=lambda b: b["purpose"] != "town_meeting")
    if not visible:
        raise ExportError(
            "export_pb_no_ballot",
            ballots=", ".join(b["key"] for b in summary["ballots"]) or "-",
        )
    return str(visible[0]["key"])


def render_pabulib(
    summary: dict[str, Any], *, ballot: str | None = None, lang: str | None = None
) -> bytes:
    """The ``.pb`` file of ``ballot`` (default: :func:`default_ballot`) as UTF-8 bytes."""
    language = export_lang(summary, lang)
    names = Names(summary, language)
    key = ballot or default_ballot(summary)
    found = [b for b in summary["ballots"] if b["key"] == key]
    if not found:
        raise ExportError(
            "export_pb_no_ballot", ballots=", ".join(b["key"] for b in summary["ballots"]) or "-"
        )
    entry = found[0]
    if entry["payloads"] is None:
        raise ExportError("export_pb_hidden", key=key)
    rule = ballot_rule(entry["rule"])
    vote_type, pabulib_rule = rule.pabulib
    settings = entry["settings"]
    issue_costs = {i["key"]: i["cost"] for i in summary["issues"]}
    given_costs = settings.get("costs") or {}
    costs: dict[str, float] = {}
    for option in entry["options"]:
        given = given_costs.get(option)
        costs[option] = float(given if given is not None else issue_costs.get(option) or 0)
    budget = float(settings.get("budget") or sum(costs.values()))
    points = (entry["tally"] or {}).get("points", {})
    buffer = io.StringIO(newline="")
    out = csv.writer(buffer, delimiter=";", lineterminator="\n")
    out.writerow(["META"])
    out.writerow(["key", "value"])
    meta: list[tuple[str, Any]] = [
        ("description", one_line(f"{summary['workshop']['title']} — {entry['title']}")),
        ("country", "Japan"),
        ("unit", one_line(summary["workshop"]["title"])),
        ("instance", entry["key"]),
        ("num_projects", len(entry["options"])),
        ("num_votes", len(entry["payloads"])),
        ("budget", _number(budget)),
        ("vote_type", vote_type),
        ("rule", pabulib_rule),
        ("language", language),
        ("comment", "Exported by Ureshii - voters are numbered per file (anonymous)"),
    ]
    if vote_type == "approval" and settings.get("max_choices"):
        meta.append(("max_length", settings["max_choices"]))
    if rule.counter in ("dots", "points"):
        meta.append(("max_sum_points", int(rule.counter_total(settings))))
    if vote_type == "scoring":
        meta += [
            ("min_points", rule.value(settings, "min")),
            ("max_points", rule.value(settings, "max")),
        ]
    out.writerows(meta)
    out.writerow(["PROJECTS"])
    out.writerow(["project_id", "cost", "votes", "name"])
    for option in entry["options"]:
        out.writerow(
            [
                option,
                _number(costs[option]),
                _number(points.get(option, 0)),
                one_line(names.option(option)),
            ]
        )
    out.writerow(["VOTES"])
    with_points = vote_type in ("cumulative", "scoring")
    out.writerow(["voter_id", "vote", "points"] if with_points else ["voter_id", "vote"])
    for voter, payload in enumerate(entry["payloads"], start=1):
        if isinstance(payload, dict):
            chosen = [o for o, v in payload.items() if v]
            row: list[Any] = [voter, ",".join(chosen)]
            if with_points:
                row.append(",".join(_number(payload[o]) for o in chosen))
        elif isinstance(payload, list):
            row = [voter, ",".join(str(o) for o in payload)]
        else:
            row = [voter, str(payload)]
        out.writerow(row)
    return buffer.getvalue().encode("utf-8")


def one_line(text: str) -> str:
    """``text`` on one line: pabulib readers split the file with ``str.splitlines()``, which
    also breaks at U+2028, NEL and a few control characters, not only at line feeds."""
    return " ".join(text.splitlines())


def _number(value: float | int) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)
