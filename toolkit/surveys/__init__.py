"""Surveys (issue 19): staff and resident questionnaires, answered in waves (before, after).

* ``toolkit.surveys.definition``: what a survey asks (the workshop file's ``surveys:``) and
  the rules of an answer; the self-generated code that links a person's waves.
* ``toolkit.surveys.stats``: the statistics engine (distributions, means with t-based
  confidence intervals, before/after comparisons with an effect size and a sentence,
  suppression of segments smaller than the minimum group size).
* ``toolkit.surveys.results``: one survey's results, built from its definition and answers.

The answers themselves are kept by the store (``toolkit/store/surveys.py``). This package
imports no statistics library until results are asked for: the phone server reads
definitions only.
"""
