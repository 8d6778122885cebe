"""The World Scaffold format (World Craft) as pydantic models, plus our zone_layer.

Unknown keys are kept (World Craft may write more than we read); the keys we use are
checked, with bounds, so that a bad value is reported where it is rather than
crashing the rasteriser later. Sizes and positions are tiles; see WORLD_FORMAT.md.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

# Bounds keep numpy slicing and float maths well defined; no real town comes close.
Coord = Annotated[int, Field(ge=-100_000, le=100_000)]
Extent = Annotated[int, Field(ge=1, le=100_000)]
GridSide = Annotated[int, Field(ge=1, le=4096)]
AssetSide = Annotated[int, Field(ge=1, le=4096)]
PosCoord = Annotated[float, Field(ge=-100_000, le=100_000)]
# Our extension's names become parts of "<world>:<sector>:<arena>" addresses.
PlaceName = Annotated[str, Field(min_length=1, pattern=r"^[^:]+$")]

# What hangs on a wall (a word of its semantic tag or asset id): only these, and things
# with no body at all, may stand wholly on wall tiles (docs/WORLD_NOTES.md).
WALL_HUNG = frozenset(
    {
        "window", "painting", "picture", "poster", "portrait", "photo", "photograph",
        "frame", "mirror", "shelf", "shelves", "lamp", "sconce", "light", "clock",
        "sign", "signboard", "curtain", "curtains", "calendar", "map", "banner", "tapestry",
        "blackboard", "whiteboard", "chalkboard", "noticeboard", "board", "hook", "hooks",
        "wall",
    }
)  # fmt: skip

Pair = tuple[int, int]
Rect = tuple[int, int, int, int]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, allow_inf_nan=False)


class Metadata(_Model):
    scene_name: str = Field(min_length=1)
    grid_size: tuple[GridSide, GridSide]
    description: str = ""
    style_prompt: str = ""
    agents_dir: str | None = None


class Asset(_Model):
    type: Literal["tile", "object", "npc", "agent"]
    description: str = ""
    base_size: tuple[AssetSide, AssetSide] = (1, 1)
    visual_size: tuple[AssetSide, AssetSide] | None = None


class FillRect(_Model):
    """One floor or wall command: paint ``asset_id`` over ``area`` = [x, y, w, h]."""

    asset_id: str
    command: Literal["fill_rect"] = "fill_rect"
    area: tuple[Coord, Coord, Extent, Extent]


class Placement(_Model):
    """An object or character; ``position`` is the bottom-centre of its footprint."""

    asset_id: str
    position: tuple[PosCoord, PosCoord]


class Zone(_Model):
    sector: PlaceName
    arena: PlaceName
    area: tuple[Coord, Coord, Extent, Extent]


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

    @property
    def blocking(self) -> bool:
        """Stops people walking over it (World Craft gives chairs passable + obstacle)."""
        return self.physics == "solid" or self.navigation == "obstacle"

    @property
    def is_door(self) -> bool:
        return self.navigation == "walkable_door"


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

    def hangs_on_wall(self, asset_id: str) -> bool:
        """Whether the object may be placed wholly on wall tiles: it has no body
        (passable and walkable: nothing can bump into it), or its semantic tag or asset
        id names a thing that hangs on a wall (a window, a painting, a shelf, a lamp...)."""
        if not self.props(asset_id).blocking:
            return True
        words = re.split(r"[^a-z]+", f"{self.tag(asset_id)} {asset_id}".lower())
        return any(w in WALL_HUNG or w.removeprefix("wall") in WALL_HUNG for w in words if w)

    def base_size(self, asset_id: str) -> Pair:
        """Footprint in tiles; an undefined asset (an OPS failure) counts as 1 x 1."""
        asset = self.assets.get(asset_id)
        return asset.base_size if asset is not None else (1, 1)
