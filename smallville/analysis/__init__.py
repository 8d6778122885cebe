"""Metrics over logged runs: diffusion, relationships, coordination, time use, cost,
behaviour health."""

from smallville.analysis.health import health
from smallville.analysis.metrics import (
    analyze,
    coordination,
    diffusion,
    llm_usage,
    plan_adherence,
    relationships,
    time_use,
)
from smallville.analysis.report import report

__all__ = [
    "analyze",
    "coordination",
    "diffusion",
    "health",
    "llm_usage",
    "plan_adherence",
    "relationships",
    "report",
    "time_use",
]
