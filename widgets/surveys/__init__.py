"""Surveys on the facilitator's screens (issue 19).

- :mod:`widgets.surveys.console` — the console's Surveys panel: waves, counts, the phone
  link, defining a survey from a template or pasted YAML;
- :mod:`widgets.surveys.paper` — paper questionnaires typed in by staff;
- :mod:`widgets.surveys.results` — each survey's results, and the buttons that carry them
  to the issues' current state and the follow-up indicators.
"""

from __future__ import annotations

from widgets.surveys.console import SurveyDefineForm, SurveyPanel, SurveyRow
from widgets.surveys.paper import PaperSurveyEntry

__all__ = ["PaperSurveyEntry", "SurveyDefineForm", "SurveyPanel", "SurveyRow"]
