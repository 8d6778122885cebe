"""The language-model port: typed prompt tasks, backends, and wrappers."""

from smallville.llm.budget import Budget
from smallville.llm.client import LLM, build
from smallville.llm.config import ConfigError, LLMConfig
from smallville.llm.meter import Usage
from smallville.llm.port import Model
from smallville.llm.task import ChoiceError, Completion, PromptTask

__all__ = [
    "LLM",
    "Budget",
    "ChoiceError",
    "Completion",
    "ConfigError",
    "LLMConfig",
    "Model",
    "PromptTask",
    "Usage",
    "build",
]
