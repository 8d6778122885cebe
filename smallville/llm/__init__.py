"""The language-model port: typed prompt tasks, backends, and wrappers."""

from smallville.llm.port import Model
from smallville.llm.task import ChoiceError, Completion, PromptTask

__all__ = ["ChoiceError", "Completion", "Model", "PromptTask"]
