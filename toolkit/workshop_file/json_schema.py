"""The JSON Schema of workshop files, published as ``toolkit/json_schemas/workshop.schema.json``.

Editors that understand JSON Schema (VS Code's YAML extension, for one) use it to complete
and check workshop files as they are typed. Regenerate the committed file with::

    .venv/bin/python -m toolkit.workshop_file schema
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from toolkit.workshop_file.models import WorkshopSpec

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "json_schemas" / "workshop.schema.json"


def workshop_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that a workshop file's data satisfies.

    Checks across lists (duplicate ids, links, weights that add up) are beyond JSON Schema;
    ``ureshii check`` runs them.
    """
    schema = WorkshopSpec.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.invalid/ureshii/workshop.schema.json",
        **schema,
        "title": "Ureshii workshop file (ureshii-workshop/1)",
    }


def schema_text() -> str:
    """The schema as it is committed: indented JSON, Japanese kept readable, final newline."""
    return json.dumps(workshop_json_schema(), ensure_ascii=False, indent=2) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    """Write :func:`schema_text` to ``path`` (the committed file by default)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema_text(), encoding="utf-8")
    return path
