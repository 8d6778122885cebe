"""Navigation: shortest paths on hand-made grids, caching, nearest, place graph."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

import smallville.world.nav as nav_module
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


def bfs_reference(walk: np.ndarray, goal: tuple[int, int]) -> np.ndarray:
    """Plain queue BFS, the definition the Navigator must agree with."""
    h, w = walk.shape
    d = np.full((h, w), -1, np.int32)
    d[goal[1], goal[0]] = 0
    queue = deque([goal])
    while queue:
        x, y = queue.popleft()
        for nx_, ny in ((x, y - 1), (x - 1, y), (x + 1, y), (x, y + 1)):
            if 0 <= nx_ < w and 0 <= ny < h and walk[ny, nx_] and d[ny, nx_] < 0:
                d[ny, nx_] = d[y, x] + 1
                queue.append((nx_, ny))
    return d


def assert_valid(nav: Navigator, start, path, goal):
    prev = start
    for x, y in path:
        assert nav.walkable[y, x]
        assert abs(x - prev[0]) + abs(y - prev[1]) == 1
        prev = (x, y)
    assert prev == goal


@pytest.fixture
def bfs_calls(monkeypatch) -> list[int]:
    """Counts the distance fields actually computed."""
    calls: list[int] = []
    real = nav_module._bfs

    def counted(graph, source):
        calls.append(source)
        return real(graph, source)

    monkeypatch.setattr(nav_module, "_bfs", counted)
    return calls


def test_corridor_length():
    """A straight corridor: the distance is the tile count, both ways."""
    nav = Navigator(grid(["......"]))
    assert nav.path((0, 0), (5, 0)) == [(1, 0), (2, 0), (3, 0), (4, 0), (5, 0)]
    assert nav.path((5, 0), (0, 0)) == [(4, 0), (3, 0), (2, 0), (1, 0), (0, 0)]
    assert nav.distance((5, 0), (0, 0)) == 5


def test_path_goes_through_the_door():
    """Between two rooms the path uses the single gap in the wall and is shortest."""
    nav = Navigator(ROOMS)
    path = nav.path((1, 1), (7, 1))
    assert nav.distance((1, 1), (7, 1)) == len(path) == 10
    assert (4, 3) in path
    assert_valid(nav, (1, 1), path, (7, 1))


def test_ties_follow_the_fixed_neighbour_order():
    """Among equally short paths the walk prefers up, left, right, down, every time."""
    nav = Navigator(np.ones((3, 3), bool))
    assert nav.path((0, 0), (2, 2)) == [(1, 0), (2, 0), (2, 1), (2, 2)]
    assert nav.path((2, 2), (0, 0)) == [(2, 1), (2, 0), (1, 0), (0, 0)]
    assert Navigator(np.ones((3, 3), bool)).path((2, 2), (0, 0)) == nav.path((2, 2), (0, 0))


def test_start_equals_goal_and_blocked_ends():
    """Same tile gives []; a blocked start or goal gives None, not an exception."""
    nav = Navigator(ROOMS)
    assert nav.path((2, 2), (2, 2)) == []
    assert nav.distance((2, 2), (2, 2)) == 0
    assert nav.path((2, 2), (4, 1)) is None
    assert nav.path((4, 1), (2, 2)) is None
    assert nav.distance((2, 2), (0, 0)) is None
    assert (nav.distance_field((4, 1)) == -1).all()


def test_unreachable_island():
    """A walled-off area is unreachable: None, not reachable, -1 in the field."""
    nav = Navigator(grid(["..#.", "..#.", "..#."]))
    assert nav.path((0, 0), (3, 2)) is None
    assert nav.distance((3, 2), (0, 0)) is None
    assert not nav.reachable((0, 0), (3, 0))
    assert nav.distance_field((3, 0))[0, 0] == -1
    assert nav.path((3, 0), (3, 2)) == [(3, 1), (3, 2)]


def test_outside_the_grid_is_a_value_error():
    """Coordinates off the grid, at either end or among goals, raise a clear ValueError."""
    nav = Navigator(ROOMS)
    with pytest.raises(ValueError, match=r"tile \(20, 1\) is outside the 9 x 6 grid"):
        nav.path((20, 1), (1, 1))
    with pytest.raises(ValueError, match="outside"):
        nav.path((1, 1), (1, -1))
    with pytest.raises(ValueError, match="outside"):
        nav.distance_field((9, 0))
    with pytest.raises(ValueError, match=r"\(1, 6\)"):
        nav.nearest((1, 1), [(2, 2), (1, 6)])


def test_bad_construction_arguments():
    """A walkable grid that is not 2-D, or an empty cache, is refused up front."""
    with pytest.raises(ValueError, match="2-D"):
        Navigator(np.ones(5, bool))
    with pytest.raises(ValueError, match="cache_size"):
        Navigator(ROOMS, cache_size=0)


def test_random_grids_match_a_plain_bfs():
    """On random mazes every field equals a queue BFS and every path is valid and shortest."""
    rng = np.random.default_rng(3)
    for shape, density in (((30, 40), 0.25), ((17, 23), 0.4)):
        walk = rng.random(shape) > density
        nav = Navigator(walk)
        ys, xs = np.nonzero(walk)
        for _ in range(100):
            i, j = rng.integers(len(xs), size=2)
            a, b = (int(xs[i]), int(ys[i])), (int(xs[j]), int(ys[j]))
            want = bfs_reference(walk, b)
            assert np.array_equal(nav.distance_field(b), want)
            path = nav.path(a, b)
            if want[a[1], a[0]] < 0:
                assert path is None and nav.distance(a, b) is None
                continue
            assert len(path) == nav.distance(a, b) == nav.distance(b, a) == want[a[1], a[0]]
            assert_valid(nav, a, path, b)


def test_fields_are_cached(bfs_calls):
    """Queries to one goal, from any start, compute its field once; nearest() reuses it."""
    nav = Navigator(ROOMS)
    f1 = nav.distance_field((1, 1))
    nav.path((7, 4), (1, 1))
    nav.path((3, 2), (1, 1))
    nav.distance((5, 1), (1, 1))
    assert nav.nearest((1, 1), [(7, 1), (2, 4)]) == ((2, 4), 4)
    assert nav.distance_field((1, 1)) is f1 and len(bfs_calls) == 1
    with pytest.raises(ValueError, match="read-only"):
        f1[0, 0] = 3


def test_cache_is_bounded_lru(bfs_calls):
    """The cache holds cache_size fields and evicts the least recently used one."""
    nav = Navigator(ROOMS, cache_size=2)
    nav.path((1, 4), (1, 1))
    nav.path((1, 4), (2, 1))
    nav.path((3, 4), (1, 1))  # (1, 1) is now the most recent
    nav.path((1, 4), (3, 1))  # evicts (2, 1)
    assert len(bfs_calls) == 3
    nav.path((2, 2), (1, 1))
    assert len(bfs_calls) == 3
    nav.path((2, 2), (2, 1))
    assert len(bfs_calls) == 4


def test_nearest_picks_closest_reachable():
    """nearest() skips unreachable and blocked goals and returns the closest with its distance."""
    nav = Navigator(ROOMS)
    assert nav.nearest((1, 1), [(7, 4), (3, 4), (4, 1)]) == ((3, 4), 5)
    assert nav.nearest((1, 1), [(4, 1)]) is None
    assert nav.nearest((1, 1), []) is None
    assert nav.nearest((4, 1), [(1, 1)]) is None
    assert nav.nearest((1, 1), np.array([[7, 1], [1, 2]])) == ((1, 2), 1)


def test_nearest_breaks_ties_by_row_then_column():
    """Equally near goals: the one with the lowest y wins, then the lowest x."""
    nav = Navigator(np.ones((5, 5), bool))
    assert nav.nearest((2, 2), [(4, 2), (2, 4), (2, 0), (0, 2)]) == ((2, 0), 2)
    assert nav.nearest((2, 2), [(4, 2), (0, 2), (2, 4)]) == ((0, 2), 2)


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


def test_place_graph_keeps_isolated_arenas_and_joins_all_round_a_hall():
    """Every arena is a node even with no neighbour; a shared arena-less hall joins all pairs."""
    walk = grid(
        [
            "...#...",
            "...#...",
            ".......",
            "###.###",
            "...#...",
        ]
    )
    arena = np.full(walk.shape, -1)
    arena[0:3, 0:3] = 0
    arena[0:3, 4:7] = 1
    arena[4, 0:3] = 2  # cut off: row 3 is wall under it
    arena[4, 4:7] = 3  # cut off likewise
    # (3, 2) and (3, 3) are a hall that belongs to no arena
    g = place_graph(arena, walk, ["a", "b", "c", "d"])
    assert sorted(g.nodes) == [0, 1, 2, 3] and g.nodes[3]["name"] == "d"
    assert sorted(g.edges) == [(0, 1)]
    walk[4, 3] = True  # the hall now reaches down between c and d
    g = place_graph(arena, walk, ["a", "b", "c", "d"])
    assert sorted(g.edges) == [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
