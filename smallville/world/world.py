"""A loaded, checked world: scene, tile grid, places, navigation and metrics."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import networkx as nx

from smallville.world.errors import WorldError
from smallville.world.grid import TileGrid, rasterize
from smallville.world.load import load_scene
from smallville.world.nav import Navigator, place_graph
from smallville.world.places import Places
from smallville.world.schema import Scene
from smallville.world.validate import Metrics, validate

_LISTED = 50  # failures spelled out when refusing a layout


class World:
    """Everything the simulation needs to know about a layout."""

    def __init__(self, scene: Scene, path: Path | None = None) -> None:
        self.scene = scene
        self.path = path
        self.grid: TileGrid = rasterize(scene)
        self.places = Places(scene, self.grid)
        self.metrics: Metrics = validate(scene, self.grid, self.places)

    @classmethod
    def load(cls, path: Path | str, allow_invalid: bool = False) -> World:
        """Load and check a layout; refuse one that fails a check unless ``allow_invalid``."""
        path = Path(path)
        world = cls(load_scene(path), path)
        m = world.metrics
        if not allow_invalid and not m.ok:
            listed = tuple(str(f) for f in m.failures[:_LISTED])
            if len(m.failures) > _LISTED:
                listed += (f"... and {len(m.failures) - _LISTED} more",)
            raise WorldError(
                path,
                "",
                f"layout fails its checks (CFR {m.cfr}, RCS {m.rcs}, OPS {m.ops})",
                "CFR = RCS = OPS = 1: fix the failures below in the layout file and check "
                f"it with `smallville world validate {path}` (`smallville world render "
                f"{path} --png map.png` shows where they are)",
                listed,
            )
        return world

    @property
    def name(self) -> str:
        return self.scene.metadata.scene_name

    @cached_property
    def nav(self) -> Navigator:
        return Navigator(self.grid.walkable)

    @cached_property
    def graph(self) -> nx.Graph:
        """Arenas (node = arena index, ``name`` = address), joined where one can walk across."""
        names = [a.address for a in self.places.arenas]
        return place_graph(self.grid.arena, self.grid.walkable, names)
