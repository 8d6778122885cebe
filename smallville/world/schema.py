"""The World Scaffold format (World Craft) as pydantic models, plus our zone_layer.

Unknown keys are kept (World Craft may write more than we read); the keys we use are
checked. Sizes and positions are tiles.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Pair = tuple[int, int]
Rect = tuple[int, int, int, int]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Metadata(_Model):
    scene_name: str = Field(min_length=1)
    grid_size: tuple[int, int]
    description: str = ""
    style_prompt: str = ""
    agents_dir: str | None = None

    @model_validator(mode="after")
    def _positive(self) -> Metadata:
        w, h = self.grid_size
        if not (0 < w <= 4096 and 0 < h <= 4096):
            raise ValueError(f"grid_size must be two integers in 1..4096, got {[w, h]}")
        return self


class Asset(_Model):
    type: Literal["tile", "object", "npc", "agent"]
    description: str = ""
    base_size: tuple[int, int] = (1, 1)
    visual_size: tuple[int, int] | None = None

    @model_validator(mode="after")
    def _sizes(self) -> Asset:
        if min(self.base_size) < 1:
            raise ValueError(f"base_size must be at least [1, 1], got {list(self.base_size)}")
        return self


class FillRect(_Model):
    asset_id: str
    command: Literal["fill_rect"] = "fill_rect"
    area: Rect

    @model_validator(mode="after")
    def _area(self) -> FillRect:
        if self.area[2] < 1 or self.area[3] < 1:
            raise ValueError(f"area [x, y, w, h] needs w, h >= 1, got {list(self.area)}")
        return self


class Placement(_Model):
    asset_id: str
    position: tuple[float, float]


class Zone(_Model):
    sector: str = Field(min_length=1)
    arena: str = Field(min_length=1)
    area: Rect


class Layout(_Model):
    floor_layer: list[FillRect] = []
    wall_layer: list[FillRect] = []
    object_layer: list[Placement] = []
    npc_layer: list[Placement] = []
    zone_layer: list[Zone] | None = None


class Properties(_Model):
    physics: Literal["passable", "solid"] = "passable"
    navigation: Literal["walkable", "obstacle", "walkable_door"] = "walkable"
    semantic_tag: str | None = None
    character_name: str | None = None
    is_agent: bool = False
    soul_file: str | None = None


class Scene(_Model):
    metadata: Metadata
    assets: dict[str, Asset]
    layout: Layout
    properties: dict[str, Properties] = {}

    def props(self, asset_id: str) -> Properties:
        """The asset's properties; a missing entry means passable, walkable, tagged by id."""
        return self.properties.get(asset_id) or Properties(semantic_tag=asset_id)

    def tag(self, asset_id: str) -> str:
        return self.props(asset_id).semantic_tag or asset_id
