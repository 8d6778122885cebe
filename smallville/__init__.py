"""Smallville: generative agents in a World-Craft-style town."""

__version__ = "0.1.0"
__all__ = ["__version__"]
