"""JSON exports back into a store: :func:`import_export_json` rebuilds a workshop from an
``ureshii-export/1`` file through the public ``Store`` API, so that its summary equals the
exported one (see :func:`comparable_summary` for the fields that cannot be equal, and
``docs/exports.md`` for what an export does not carry). :func:`check_document` refuses what
is not such a document before anything is written.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from toolkit.export._common import ExportError
from toolkit.fiscal import FiscalPeriod
from toolkit.store import Store


def check_document(document: Any, file: str = "") -> None:
    """Refuse what is not an ``ureshii-export/1`` document valid against the schema."""
    import jsonschema  # type: ignore[import-untyped,unused-ignore]

    from toolkit.export.json_export import FORMAT_ID, export_json_schema

    found = document.get("format") if isinstance(document, dict) else None
    if found != FORMAT_ID:
        raise ExportError("import_json_bad_format", file=file, value=found, expected=FORMAT_ID)
    validator = jsonschema.Draft202012Validator(export_json_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "/"
        raise ExportError("import_json_invalid", file=file, where=where, message=error.message)


def import_export_json(store: Store, path: str | Path, *, slug: str | None = None) -> str:
    """Rebuild the workshop of a JSON export in ``store`` (as ``slug`` if given).

    Uses only the public ``Store`` API, step by step as a workshop would have happened:
    participants (raters with their published category), happiness map, vision drafts and
    consent, each charter version with its consent record and lock, the scores, and the
    ballots whose results were visible with their anonymous votes. Returns the slug.
    """
    from toolkit.export.verify import load_document

    document = load_document(path)
    summary = document["summary"]
    return _rebuild(
        store, summary, slug or summary["workshop"]["slug"], surveys=document.get("surveys", [])
    )


def _rebuild(
    store: Store, summary: dict[str, Any], slug: str, *, surveys: Sequence[dict[str, Any]] = ()
) -> str:
    workshop = summary["workshop"]
    themes = {th["key"]: th for th in summary["themes"]}
    theme_order = [k for k in summary["happiness_map"]["themes"] if k is not None]
    theme_order += [k for k in themes if k not in theme_order]
    spec = {
        "id": slug,
        "title": workshop["title"],
        "lang": workshop["lang"],
        "time_zone": workshop.get("time_zone"),
        "stakeholders": [
            {"id": h["key"], "name": h["name"], "category": h["category"], "prompt": h["prompt"]}
            for h in summary["stakeholders"]
        ],
        "themes": [
            {"id": k, "name": themes[k]["name"], "description": themes[k]["description"]}
            for k in theme_order
        ],
        "criteria": [
            {
                "id": c["key"],
                "name": c["name"],
                "description": c["description"],
                "direction": c["direction"],
                "scale": {"min": c["scale"][0], "max": c["scale"][1], "anchors": c["anchors"]},
            }
            for c in summary["criteria"]
        ],
        "issues": [
            {
                "id": i["key"],
                "title": i["title"],
                "description": i["description"],
                "current": i["current"],
                "ideal": i["ideal"],
                "cost": i["cost"],
                "year": i["year"],
                "themes": i["themes"],
                "stakeholders": i["stakeholders"],
            }
            for i in summary["issues"]
        ],
        "town_meeting": {"min_group_size": summary["privacy"]["min_group_size"], "ballots": []},
    }
    store.create_workshop(spec)
    categories = summary["scores"]["rater_groups"]  # the published (version-1) key
    total = max(summary["counts"]["participants"], len(categories))
    tokens = [
        store.join(slug, category=categories[n] if n < len(categories) else None)
        for n in range(total)
    ]
    for card in summary["cards"]:
        made = store.add_card(slug, card["text"], stakeholder=card["stakeholder"])
        if card["theme"] is not None:
            store.group_card(slug, made.id, card["theme"])
    for draft in summary["vision_history"]:
        store.draft_vision(slug, draft["text"], themes=draft["themes"])
    if summary["vision"] is not None:
        for token, level in zip(tokens, _levels(summary["vision"]["consent"]), strict=False):
            store.record_vision_consent(slug, token, level)
    for version in summary["charter_history"]:
        store.propose_charter(
            slug,
            method=version["method"],
            weights=version["weights"],
            tie_break=version["tie_break"],
            rules=version["rules"],
            reason=version["reason"],
        )
        if version["locked_at"] is not None:
            for token, level in zip(tokens, _levels(version["consent"]), strict=False):
                store.record_consent(slug, token, level)
            store.lock_charter(slug)
    answers: dict[int, dict[tuple[str, str], float | None]] = {}
    for rater, issue, criterion, score in summary["scores"]["rows"]:
        answers.setdefault(int(rater), {})[(issue, criterion)] = score
    for rater, given in answers.items():
        store.record_scores(slug, tokens[rater - 1], given)
    for ballot in summary["ballots"]:
        store.create_ballot(
            slug,
            ballot["key"],
            ballot["title"],
            rule=ballot["rule"],
            options=ballot["options"],
            settings=ballot["settings"],
            purpose=ballot["purpose"],
            visibility=ballot["visibility"],
        )
        if ballot["status"] == "draft":
            continue
        store.open_ballot(slug, ballot["key"])
        for token, payload in zip(tokens, ballot["payloads"] or [], strict=False):
            store.cast_vote(slug, ballot["key"], token, payload)
        if ballot["released"]:
            store.release_results(slug, ballot["key"])
        if ballot["status"] == "closed":
            store.close_ballot(slug, ballot["key"])
    _rebuild_surveys(store, slug, summary.get("surveys") or [], surveys, tokens)
    _rebuild_followup(store, slug, summary.get("followup") or {})  # its survey links: after
    store.set_phase(slug, workshop["phase"])
    return slug


def _rebuild_followup(store: Store, slug: str, followup: Mapping[str, Any]) -> None:
    """The roadmap items, indicators and their measurements (in their recorded order) and
    the survey question that measures each (the surveys are rebuilt before), and the review
    dates of the charter and ballots (a roadmap item's comes with the item)."""
    for review in followup.get("reviews", []):
        if review["subject"] != "roadmap":
            store.set_review_date(
                slug,
                review["subject"],
                review["key"],
                date.fromisoformat(review["review_on"]),
                note=review["note"],
            )
    for item in followup.get("roadmap", []):
        store.set_roadmap_item(
            slug,
            item["issue"],
            FiscalPeriod(item["year"], item["quarter"]),
            owner_department=item["owner_department"],
            budget_line=item["budget_line"],
            review_on=None if item["review_on"] is None else date.fromisoformat(item["review_on"]),
            depends_on=item["depends_on"],
        )
    for found in followup.get("indicators", []):
        store.add_indicator(
            slug,
            found["issue"],
            found["name"],
            direction=found["direction"],
            baseline=found["baseline"],
            baseline_on=date.fromisoformat(found["baseline_on"]),
            target=found["target"],
            target_on=date.fromisoformat(found["target_on"]),
            unit=found["unit"],
            source=found["source"],
            key=found["key"],
        )
        for measured in found["measurements"]:
            store.record_measurement(
                slug,
                found["key"],
                measured["value"],
                date.fromisoformat(measured["measured_on"]),
                entered_by=measured["entered_by"],
                note=measured["note"],
            )
        linked = found.get("measured_by")  # exports before 2026-12-07 have none
        if linked:
            store.link_indicator_to_survey(slug, found["key"], linked["survey"], linked["question"])


def _rebuild_surveys(
    store: Store,
    slug: str,
    published: list[dict[str, Any]],
    exported: Sequence[dict[str, Any]],
    tokens: list[str],
) -> None:
    """Each survey: its definition, then each wave opened, its anonymous answers submitted
    (by the same rebuilt participant for one person's linked waves, with a stand-in link
    code per pair, so the pairs link again) and closed; finally each wave left in its
    exported state. A withheld segment answer (``""``) cannot come back: it is left out,
    and a required question with withheld answers is rebuilt as not required."""
    states = {s["key"]: {w["key"]: w["status"] for w in s["waves"]} for s in published}
    for item in exported:
        definition = dict(item["definition"])
        answers = item["answers"]
        withheld = {key for row in answers for key, value in row["answers"].items() if value == ""}
        definition["questions"] = [
            {**q, "required": False} if q["id"] in withheld else q for q in definition["questions"]
        ]
        key = definition["id"]
        store.define_survey(slug, definition)
        status = states.get(key, {})
        pairs = sorted({row["pair"] for row in answers if row["pair"] is not None})
        pair_token = {pair: n for n, pair in enumerate(pairs)}
        for wave in [w["id"] for w in definition["waves"]]:
            rows = [row for row in answers if row["wave"] == wave]
            if not rows and status.get(wave, "draft") == "draft":
                continue
            store.open_survey_wave(slug, key, wave)
            used = {pair_token[row["pair"]] for row in rows if row["pair"] is not None}
            free = (n for n in range(10**9) if n not in used)
            for row in rows:
                n = pair_token[row["pair"]] if row["pair"] is not None else next(free)
                while n >= len(tokens):
                    tokens.append(store.join(slug))
                given = {q: v for q, v in row["answers"].items() if v is not None and v != ""}
                link = _stand_in_link(row["pair"]) if row["pair"] is not None else None
                store.submit_survey(
                    slug,
                    key,
                    given,
                    token=tokens[n],
                    wave=wave,
                    link=link if definition.get("link_code") else None,
                    channel=row["channel"],
                )
            store.close_survey_wave(slug, key, wave)
        for wave, state in status.items():
            if state == "open":
                store.open_survey_wave(slug, key, wave)


def _stand_in_link(pair: int) -> dict[str, Any]:
    """Link answers that differ for every pair number (the real ones are never exported)."""
    return {
        "mother": chr(0x4E00 + (pair - 1) // 31),
        "birthday": (pair - 1) % 31 + 1,
        "school": "x",
    }


def _levels(consent: Mapping[str, Any] | None) -> list[int]:
    """The individual answers of a consent record (their order is not recorded)."""
    if not consent:
        return []
    levels = consent.get("levels", {})
    return [n for n in range(5, -1, -1) for _ in range(int(levels.get(str(n), 0)))]


def comparable_summary(summary: Mapping[str, Any]) -> dict[str, Any]:
    """A summary without what a rebuilt store cannot reproduce, for comparing two stores.

    Removed: the audit log (the rebuilt store has its own events), the previous cycle (a
    rebuilt store holds one workshop, without the one it continued, so it has no link),
    lock times and survey wave times (replaced by whether there is one), and what surveys
    compute from segment answers (a segment question's own results and every result by
    segment: the answers of small groups are withheld from the export, so they cannot
    come back). Everything else must be equal after
    ``import_export_json``, given an export whose hidden ballots have no votes, whose scores
    were never superseded and whose categories are all at least the privacy threshold.
    """
    result = copy.deepcopy(dict(summary))
    result.pop("audit_log", None)
    result.pop("previous_cycle", None)
    if result.get("charter"):
        result["charter"]["locked_at"] = result["charter"]["locked_at"] is not None
    for version in result.get("charter_history", []):
        version["locked_at"] = version["locked_at"] is not None
    for survey in result.get("surveys") or []:
        for wave in survey["waves"]:  # times of the rebuild, not of the workshop
            wave["opened_at"] = wave["opened_at"] is not None
            wave["closed_at"] = wave["closed_at"] is not None
        # The segment answers of small groups are withheld from the export, so a rebuilt
        # store has fewer of them: what is computed from segment answers is left out.
        for question in survey["questions"]:
            if question["segment"]:
                question["required"] = None
                question["waves"] = {}
            for entry in question["waves"].values():
                entry.pop("by_segment", None)
    return json.loads(json.dumps(result))
