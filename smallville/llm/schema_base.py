"""Base classes of every prompt kind's inputs (frozen, no unknown fields) and outputs
(unknown fields ignored: a model may add some)."""

from pydantic import BaseModel, ConfigDict


class In(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(extra="ignore")
