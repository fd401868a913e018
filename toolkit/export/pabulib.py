"""A ballot's votes in the pabulib ``.pb`` format, for participatory-budgeting researchers.

pabulib (https://pabulib.org/format) is a ``;``-separated text file with three sections:
``META`` (key;value), ``PROJECTS`` (one row per option) and ``VOTES`` (one row per anonymous
voter: voter_id, the options voted for, and points for cumulative and scoring ballots, in
decreasing order of points). Tools such as ``pabutools.election.parse_pabulib`` read it.

What the file says, and why:

- ``rule`` is a pabulib rule name: ``greedy`` (greedy budget) and ``equalshares`` (Equal
  Shares, no completion) for the budget rules, ``unknown`` for every other ballot rule
  (pabulib names only rules that fund projects). Ureshii's own rule id is kept in the
  non-standard field ``ureshii_rule``; a Borda ballot also says ``scoring_fn;Borda``.
- ``budget`` is mandatory in pabulib and ``parse_pabulib`` needs a number. A budget ballot
  writes its budget (``currency;JPY``). A ballot without a budget (approval, Borda, dot
  votes…) allocated no money, so it writes ``budget;0`` and a numbered ``comment`` says
  that the ballot had no budget: a budget invented from the costs would look real.
- ``PROJECTS`` has ``project_id;cost;votes;[score;]name;selected``: ``votes`` counts the
  voters who voted for the option, ``score`` (cumulative and scoring ballots) sums their
  points, and ``selected`` is 1 for what the ballot's own published tally chose: the
  funded projects of a budget ballot (``tally["selected"]``), else the options with the
  most points (all of them when tied at the top); 0 otherwise, and 0 everywhere before a
  vote.

Only ballots whose results are visible are written (hidden ones raise
:class:`~toolkit.export._common.ExportError`); voters are numbered 1..n per file, in the
summary's canonical ballot order, never with the store's ids.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

from toolkit.ballots import ballot_rule
from toolkit.export._common import ExportError, Names, export_lang
from toolkit.money import exact_amount


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
    votes = [_vote(payload, vote_type) for payload in entry["payloads"]]
    voters = Counter(option for chosen, _ in votes for option in chosen)
    tally = entry["tally"] or {}
    points = tally.get("points", {})
    selected = set(selected_options(entry))
    comments = ["Exported by Ureshii, voters numbered 1..n per file (anonymous)."]
    if rule.needs_costs:
        budget = float(exact_amount(settings["budget"]))
    else:
        budget = 0.0
        comments.append(
            f"The ballot ({entry['rule']}) had no budget: budget is 0 and selected marks "
            "the options with the most points."
        )
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
        ("ureshii_rule", entry["rule"]),
        ("language", language),
    ]
    if rule.needs_costs:
        meta.append(("currency", "JPY"))
    if vote_type == "approval" and settings.get("max_choices"):
        meta.append(("max_length", settings["max_choices"]))
    if rule.counter in ("dots", "points", "credits"):
        meta.append(("max_sum_points", int(rule.counter_total(settings))))
    if vote_type == "scoring":
        meta += [
            ("min_points", rule.value(settings, "min")),
            ("max_points", rule.value(settings, "max")),
        ]
    if entry["rule"] == "borda":
        meta.append(("scoring_fn", "Borda"))
    meta.append(("comment", " ".join(f"#{n}: {c}" for n, c in enumerate(comments, start=1))))
    with_points = vote_type in ("cumulative", "scoring")
    buffer = io.StringIO(newline="")
    out = csv.writer(buffer, delimiter=";", lineterminator="\n")
    out.writerow(["META"])
    out.writerow(["key", "value"])
    out.writerows(meta)
    out.writerow(["PROJECTS"])
    out.writerow(
        ["project_id", "cost", "votes", *(["score"] if with_points else []), "name", "selected"]
    )
    for option in entry["options"]:
        score = [_number(points.get(option, 0))] if with_points else []
        out.writerow(
            [
                option,
                _number(costs[option]),
                voters[option],
                *score,
                one_line(names.option(option)),
                1 if option in selected else 0,
            ]
        )
    out.writerow(["VOTES"])
    out.writerow(["voter_id", "vote", "points"] if with_points else ["voter_id", "vote"])
    for voter, (chosen, given) in enumerate(votes, start=1):
        row: list[Any] = [voter, ",".join(chosen)]
        if with_points:
            # An empty ballot (no dots placed): pabutools reads "None" as no points; an
            # empty field would be one unreadable number.
            row.append(",".join(_number(p) for p in given) if given else "None")
        out.writerow(row)
    return buffer.getvalue().encode("utf-8")


def selected_options(entry: dict[str, Any]) -> list[str]:
    """What a ballot's published tally chose: a budget ballot's funded projects, else the
    options with the most points (every one of them when several tie at the top).

    >>> selected_options({"tally": {"order": ["b", "a"], "points": {"a": 2.0, "b": 2.0}}})
    ['b', 'a']
    >>> selected_options({"tally": {"order": ["a"], "points": {"a": 1.0}, "selected": []}})
    []
    >>> selected_options({"tally": None})
    []
    """
    tally = entry["tally"]
    if not tally:
        return []
    if "selected" in tally:
        return list(tally["selected"])
    points = tally["points"]
    top = max(points.values(), default=0)
    return [o for o in tally["order"] if points[o] == top]


def _vote(payload: Any, vote_type: str) -> tuple[list[str], list[float]]:
    """One anonymous ballot as pabulib writes it: the options, and their points (highest
    first, ties in the ballot's own order) for cumulative and scoring ballots."""
    if isinstance(payload, dict):
        given = [(str(o), float(v)) for o, v in payload.items() if v]
        if vote_type in ("cumulative", "scoring"):
            given.sort(key=lambda pair: -pair[1])
        return [o for o, _ in given], [v for _, v in given]
    if isinstance(payload, list):
        return [str(o) for o in payload], []
    return [str(payload)], []


def one_line(text: str) -> str:
    """``text`` on one line: pabulib readers split the file with ``str.splitlines()``, which
    also breaks at U+2028, NEL and a few control characters, not only at line feeds."""
    return " ".join(text.splitlines())


def _number(value: float | int) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)
