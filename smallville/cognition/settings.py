"""Parameters of the agent architecture, with the paper's values as defaults."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CognitionSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    vision_radius: int = Field(8, ge=1, le=64, description="tiles")
    attention_bandwidth: int = Field(8, ge=1, le=64, description="events kept per tick")
    retention: int = Field(8, ge=1, le=64, description="latest recorded events not stored again")
    reflection_threshold: int = Field(150, ge=1, description="summed importance that triggers")
    reflection_records: int = Field(100, ge=1, description="recent records the questions see")
    insights_per_question: int = Field(5, ge=1, le=5)
    retrieve_k: int = Field(30, ge=1, le=200)
    prompt_memories: int = Field(8, ge=1, le=60, description="memories shown in a prompt")
    recency_decay: float = Field(0.995, gt=0, le=1)
    w_recency: float = Field(1.0, ge=0)
    w_importance: float = Field(1.0, ge=0)
    w_relevance: float = Field(1.0, ge=0)
    max_rounds: int = Field(8, ge=1, le=20, description="utterances per side")
    chat_cooldown_minutes: int = Field(180, ge=0)
    reflection: bool = True
    planning: bool = True
    memory: bool = True
