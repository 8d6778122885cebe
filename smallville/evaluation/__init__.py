"""The paper's controlled evaluation against a run log: ``evaluate`` and ``report``."""

from smallville.evaluation.conditions import CONDITIONS
from smallville.evaluation.evaluate import PAPER_TRUESKILL, evaluate, report, summary

__all__ = ["CONDITIONS", "PAPER_TRUESKILL", "evaluate", "report", "summary"]
