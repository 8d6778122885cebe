"""Navigation: shortest paths on hand-made grids, caching, nearest, place graph."""

from __future__ import annotations

import numpy as np
import pytest

from smallville.world import Navigator, place_graph


def grid(rows: list[str]) -> np.ndarray:
    """'.' walkable, '#' blocked."""
    return np.array([[c == "." for c in r] for r in rows])


ROOMS = grid(
    [
        "#########",
        "#...#...#",
        "#...#...#",
        "#.......#",
        "#...#...#",
        "#########",
    ]
)


def _valid(nav: Navigator, start, path, goal):
    prev = start
    for x, y in path:
        assert nav.walkable[y, x]
        assert abs(x - prev[0]) + abs(y - prev[1]) == 1
        prev = (x, y)
    assert prev == goal


def test_corridor_length():
    """A straight corridor: the distance is the tile count."""
    nav = Navigator(grid(["......"]))
    assert nav.path((0, 0), (5, 0)) == [(1, 0), (2, 0), (3, 0), (4, 0), (5, 0)]
    assert nav.distance((5, 0), (0, 0)) == 5


def test_path_goes_through_the_door():
    """Between two rooms the path uses the single opening and is shortest."""
    nav = Navigator(ROOMS)
    path = nav.path((1, 1), (7, 1))
    assert nav.distance((1, 1), (7, 1)) == len(path) == 10
    assert (4, 3) in path
    _valid(nav, (1, 1), path, (7, 1))


def test_start_equals_goal_and_blocked_ends():
    """Same tile gives []; a blocked start or goal gives None, not an exception."""
    nav = Navigator(ROOMS)
    assert nav.path((2, 2), (2, 2)) == []
    assert nav.path((2, 2), (4, 1)) is None
    assert nav.path((4, 1), (2, 2)) is None
    assert nav.distance((2, 2), (0, 0)) is None


def test_unreachable_island():
    """A walled-off tile is unreachable: None and not reachable."""
    nav = Navigator(grid(["..#.", "..#.", "..#."]))
    assert nav.path((0, 0), (3, 2)) is None
    assert not nav.reachable((0, 0), (3, 0))
    assert nav.distance_field((3, 0))[0, 0] == -1


def test_outside_the_grid_is_a_value_error():
    """Coordinates off the grid are a caller's mistake with a clear message."""
    nav = Navigator(ROOMS)
    with pytest.raises(ValueError, match="outside the 9 x 6 grid"):
        nav.path((20, 1), (1, 1))


def test_random_paths_are_valid_and_shortest():
    """On a random maze every path is 4-connected, walkable and of BFS length."""
    rng = np.random.default_rng(3)
    walk = rng.random((30, 40)) > 0.25
    nav = Navigator(walk)
    ys, xs = np.nonzero(walk)
    for _ in range(200):
        i, j = rng.integers(len(xs), size=2)
        a, b = (int(xs[i]), int(ys[i])), (int(xs[j]), int(ys[j]))
        path = nav.path(a, b)
        d = nav.distance(a, b)
        if path is None:
            assert d is None
            continue
        assert len(path) == d == nav.distance(b, a)
        _valid(nav, a, path, b)


def test_fields_are_cached_and_bounded():
    """A goal's field is computed once and the cache keeps at most cache_size fields."""
    nav = Navigator(ROOMS, cache_size=2)
    f1 = nav.distance_field((1, 1))
    assert nav.distance_field((1, 1)) is f1
    nav.distance_field((2, 1))
    nav.distance_field((3, 1))
    assert len(nav._fields) == 2 and nav.distance_field((1, 1)) is not f1


def test_nearest_picks_closest_reachable():
    """nearest() skips unreachable goals and returns the closest with its distance."""
    nav = Navigator(ROOMS)
    assert nav.nearest((1, 1), [(7, 4), (3, 4), (4, 1)]) == ((3, 4), 5)
    assert nav.nearest((1, 1), [(4, 1)]) is None


def test_place_graph_connects_rooms_through_doorways():
    """Arenas touching directly or via arena-less walkable tiles are connected."""
    arena = np.full(ROOMS.shape, -1)
    arena[1:5, 1:4] = 0
    arena[1:5, 5:8] = 1
    g = place_graph(arena, ROOMS, ["a", "b"])
    assert list(g.edges) == [(0, 1)] and g.nodes[0]["name"] == "a"
    arena[3, 4] = 2  # the doorway is an arena of its own
    g = place_graph(arena, ROOMS, ["a", "b", "door"])
    assert sorted(g.edges) == [(0, 2), (1, 2)]
    blocked = ROOMS.copy()
    blocked[3, 4] = False
    assert list(place_graph(arena, blocked, ["a", "b", "door"]).edges) == []
