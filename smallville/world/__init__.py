"""World-Craft-style layouts: schema, loading, tile grids, places, checks, navigation."""

from smallville.world.errors import WorldError
from smallville.world.grid import TileGrid, bottom_centre, footprint, rasterize
from smallville.world.load import load_scene, parse_scene
from smallville.world.nav import Navigator, place_graph
from smallville.world.places import Arena, Obj, Places, Spawn
from smallville.world.schema import Scene
from smallville.world.validate import Failure, Metrics, validate
from smallville.world.world import World

__all__ = [
    "Arena",
    "Failure",
    "Metrics",
    "Navigator",
    "Obj",
    "Places",
    "Scene",
    "Spawn",
    "TileGrid",
    "World",
    "WorldError",
    "bottom_centre",
    "footprint",
    "load_scene",
    "parse_scene",
    "place_graph",
    "rasterize",
    "validate",
]
