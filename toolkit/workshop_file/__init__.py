"""Workshop files: one YAML file describes a workshop, checked with every problem's line.

::

    from toolkit.workshop_file import load_workshop_file, check_workshop_file
    spec = load_workshop_file("w.yaml")          # WorkshopSpec, or WorkshopFileError
    for problem in check_workshop_file("w.yaml"):
        print(problem.format("ja"))              # w.yaml:12: issues.3.themes.0: …
    survey = survey_from_text(pasted_yaml)       # SurveySpec, or WorkshopFileError
    survey_templates("ja")                       # {"staff-dx": SurveySpec, …}

The format is described in ``docs/workshop-file.md``; its JSON Schema is
``toolkit/json_schemas/workshop.schema.json`` (:func:`workshop_json_schema`).
"""

from __future__ import annotations

from toolkit.workshop_file.json_schema import SCHEMA_PATH, workshop_json_schema
from toolkit.workshop_file.loader import (
    MAX_PROBLEMS,
    WorkshopCheck,
    WorkshopFileProblems,
    check_workshop_file,
    inspect_workshop_file,
    load_workshop_file,
)
from toolkit.workshop_file.models import (
    BALLOT_RULES,
    FORMAT_ID,
    METHOD_IDS,
    PHASE_ORDER,
    TIE_BREAKS,
    BallotSpec,
    CriterionSpec,
    IssueSpec,
    MethodSpec,
    PhaseSpec,
    ScaleSpec,
    StakeholderSpec,
    ThemeSpec,
    TownMeetingSpec,
    WorkshopSpec,
)
from toolkit.workshop_file.problems import Problem
from toolkit.workshop_file.survey_text import (
    SurveyTextProblems,
    check_survey_text,
    survey_from_text,
    survey_templates,
)
from toolkit.workshop_file.templates import TEMPLATES, template_path, write_template
from toolkit.workshop_file.yaml_reader import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES

__all__ = [
    "BALLOT_RULES",
    "FORMAT_ID",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_PROBLEMS",
    "MAX_VALUES",
    "METHOD_IDS",
    "PHASE_ORDER",
    "SCHEMA_PATH",
    "TEMPLATES",
    "TIE_BREAKS",
    "BallotSpec",
    "CriterionSpec",
    "IssueSpec",
    "MethodSpec",
    "PhaseSpec",
    "Problem",
    "ScaleSpec",
    "StakeholderSpec",
    "SurveyTextProblems",
    "ThemeSpec",
    "TownMeetingSpec",
    "WorkshopCheck",
    "WorkshopFileProblems",
    "WorkshopSpec",
    "check_survey_text",
    "check_workshop_file",
    "inspect_workshop_file",
    "load_workshop_file",
    "survey_from_text",
    "survey_templates",
    "template_path",
    "workshop_json_schema",
    "write_template",
]
