"""The JSON export: its published schema and a round trip into a new store that verifies
(``ureshii verify`` itself: tests/export/test_export_verify.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from toolkit.demo import DemoResult
from toolkit.export import ExportError
from toolkit.export.json_export import (
    FORMAT_ID,
    SCHEMA_PATH,
    ExportDocument,
    export_json_schema,
    render_json,
    schema_text,
)
from toolkit.export.json_import import comparable_summary, import_export_json
from toolkit.export.surveys import survey_data
from toolkit.export.verify import verify_document
from toolkit.store import Store
from toolkit.summary import summarize


@pytest.fixture(scope="module")
def document(demo: DemoResult, demo_summary: dict[str, Any]) -> dict[str, Any]:
    with Store.open(demo.path) as store:  # the surveys' definitions and anonymous answers
        surveys = survey_data(store, demo.slug, demo_summary)
    loaded: dict[str, Any] = json.loads(render_json(demo_summary, surveys=surveys))
    return loaded


@pytest.fixture
def export_file(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_committed_schema_is_up_to_date() -> None:
    # Regenerate with: .venv/bin/python -m toolkit.export.json_export schema
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text()


def test_export_validates_against_the_published_schema(document: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["format"] == FORMAT_ID == "ureshii-export/1"
    assert set(schema["properties"]) == set(ExportDocument.model_fields)
    assert set(document["scoring_convention"]) == {"ja", "en"}


def test_schema_rejects_a_document_with_a_participant_id(document: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(document))
    broken["summary"]["scores"]["rows"][0].append(12345)
    errors = list(jsonschema.Draft202012Validator(export_json_schema()).iter_errors(broken))
    assert errors


def test_round_trip_into_a_new_store_gives_the_same_summary(
    empty_store: Store, export_file: Path, demo_summary: dict[str, Any]
) -> None:
    slug = import_export_json(empty_store, export_file)
    again = summarize(empty_store, slug)
    assert again["ranking"] == demo_summary["ranking"]
    assert comparable_summary(again) == comparable_summary(demo_summary)
    # and the rebuilt store exports a file that verifies
    assert verify_document(json.loads(render_json(again))).matches


def test_import_refuses_what_is_not_an_export(empty_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"format": "something/2"}', encoding="utf-8")
    with pytest.raises(ExportError, match="not an Ureshii export"):
        import_export_json(empty_store, path)
