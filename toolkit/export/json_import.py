"""JSON exports back into a store: :func:`import_export_json` rebuilds a workshop from an
``ureshii-export/1`` file through the public ``Store`` API, so that its summary equals the
exported one (see :func:`comparable_summary` for the fields that cannot be equal, and
``docs/exports.md`` for what an export does not carry). :func:`check_document` refuses what
is not such a document before anything is written.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
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

    summary = load_document(path)["summary"]
    return _rebuild(store, summary, slug or summary["workshop"]["slug"])


def _rebuild(store: Store, summary: dict[str, Any], slug: str) -> str:
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
    _rebuild_followup(store, slug, summary.get("followup") or {})
    store.set_phase(slug, workshop["phase"])
    return slug


def _rebuild_followup(store: Store, slug: str, followup: Mapping[str, Any]) -> None:
    """The roadmap items, indicators and their measurements (in their recorded order), and
    the review dates of the charter and ballots (a roadmap item's comes with the item)."""
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


def _levels(consent: Mapping[str, Any] | None) -> list[int]:
    """The individual answers of a consent record (their order is not recorded)."""
    if not consent:
        return []
    levels = consent.get("levels", {})
    return [n for n in range(5, -1, -1) for _ in range(int(levels.get(str(n), 0)))]


def comparable_summary(summary: Mapping[str, Any]) -> dict[str, Any]:
    """A summary without what a rebuilt store cannot reproduce, for comparing two stores.

    Removed: the audit log (the rebuilt store has its own events), the previous cycle (a
    rebuilt store holds one workshop, without the one it continued, so it has no link) and
    lock times (replaced by whether the charter is locked). Everything else must be equal after
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
    return json.loads(json.dumps(result))
