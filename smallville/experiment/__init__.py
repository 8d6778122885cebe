"""Repeated runs with confidence intervals: `smallville experiment SPEC.json` runs a
grid of seeds x conditions x models (x variants) and aggregates their metrics."""

from smallville.experiment.spec import Spec, SpecError, load

__all__ = ["Spec", "SpecError", "load"]
