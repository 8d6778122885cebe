"""Navigation: tile shortest paths from cached distance fields, and the place graph.

A path query walks downhill on the goal's distance field. A field is one BFS from
the goal: scipy's ``breadth_first_order`` gives the visit order and the BFS tree,
and pointer jumping on that tree turns it into depths in ~log2(diameter) numpy
passes. On the 140 x 100 town that measured 1.5x faster than csgraph's
``shortest_path``, 2.5-3x faster than the best pure-numpy frontier BFS and 6x faster
than a ``collections.deque`` BFS (``scripts/bench_paths.py --compare-bfs``). Fields
sit in an LRU cache, each with its next-step array, so following a path is a pointer
chase of a few microseconds, not a search.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from itertools import combinations

import networkx as nx
import numpy as np
from scipy import ndimage
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

Tile = tuple[int, int]
# Fixed neighbour order (up, left, right, down): where several neighbours are one
# step closer to the goal, the first in this order wins, so paths are deterministic.
STEPS: tuple[Tile, ...] = ((0, -1), (-1, 0), (1, 0), (0, 1))


class Navigator:
    """Shortest 4-connected paths over the walkable tiles of a grid.

    Args:
        walkable: bool array of shape (H, W), indexed ``[y, x]``.
        cache_size: how many distance fields to keep (about 100 KB each on 140 x 100).
    """

    def __init__(self, walkable: np.ndarray, cache_size: int = 512) -> None:
        walkable = np.asarray(walkable, bool)
        if walkable.ndim != 2:
            raise ValueError(
                f"walkable must be a 2-D bool array indexed [y, x], got shape {walkable.shape}"
            )
        if cache_size < 1:
            raise ValueError(f"cache_size must be at least 1, got {cache_size}")
        self.walkable = walkable
        self.height, self.width = walkable.shape
        self.cache_size = cache_size
        self._fields: OrderedDict[Tile, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        # Walkable tiles are the graph's nodes, numbered in row-major order.
        self._cells = np.flatnonzero(walkable.ravel())
        n = self._cells.size
        self._node = np.full(walkable.size, -1, np.int64)
        self._node[self._cells] = np.arange(n)
        ys, xs = np.divmod(self._cells, self.width)
        self._tiles: list[Tile] = list(zip(xs.tolist(), ys.tolist(), strict=True))
        self._nbr = _neighbours(walkable, self._node)
        self._graph = _node_graph(self._nbr, n)

    # ------------------------------------------------------------------ queries
    def distance_field(self, goal: Tile) -> np.ndarray:
        """Steps from every tile to ``goal`` (int32 (H, W), ``-1`` where unreachable).

        The array is the cached one, hence read-only.
        """
        self._check(goal)
        return self._field(goal)[0]

    def distance(self, start: Tile, goal: Tile) -> int | None:
        """Steps from ``start`` to ``goal``; None when unreachable or either is not walkable."""
        self._check(start)
        self._check(goal)
        if not (self._open(start) and self._open(goal)):
            return None
        d = int(self._field(goal)[0][start[1], start[0]])
        return d if d >= 0 else None

    def reachable(self, a: Tile, b: Tile) -> bool:
        return self.distance(a, b) is not None

    def path(self, start: Tile, goal: Tile) -> list[Tile] | None:
        """Tiles from the one after ``start`` to ``goal``; ``[]`` when already there,
        ``None`` when unreachable or when either end is not walkable."""
        self._check(start)
        self._check(goal)
        if not (self._open(start) and self._open(goal)):
            return None
        dist, nxt = self._field(goal)
        if dist[start[1], start[0]] < 0:
            return None
        here = int(self._node[start[1] * self.width + start[0]])
        end = int(self._node[goal[1] * self.width + goal[0]])
        tiles = self._tiles
        step = memoryview(nxt)  # indexing a memoryview yields Python ints: 2x faster here
        out = []
        while here != end:
            here = step[here]
            out.append(tiles[here])
        return out

    def nearest(self, start: Tile, goals: Iterable[Tile]) -> tuple[Tile, int] | None:
        """The reachable goal closest to ``start`` and its distance (ties: lowest y, then x).

        One field, from ``start``, answers for all goals; None when none is reachable.
        """
        self._check(start)
        pts = np.array([(int(x), int(y)) for x, y in goals], np.int64).reshape(-1, 2)
        off = (pts[:, 0] < 0) | (pts[:, 0] >= self.width) | (pts[:, 1] < 0)
        off |= pts[:, 1] >= self.height
        if off.any():
            self._check(tuple(pts[np.argmax(off)].tolist()))
        if not self._open(start) or not len(pts):
            return None
        d = self._field(start)[0][pts[:, 1], pts[:, 0]]
        ok = d >= 0
        if not ok.any():
            return None
        d, pts = d[ok], pts[ok]
        i = np.lexsort((pts[:, 0], pts[:, 1], d))[0]
        return (int(pts[i, 0]), int(pts[i, 1])), int(d[i])

    # ---------------------------------------------------------------- internals
    def _check(self, tile: Tile) -> None:
        x, y = tile
        if not (0 <= x < self.width and 0 <= y < self.height):
            raise ValueError(
                f"tile {tuple(tile)} is outside the {self.width} x {self.height} grid "
                f"(expected 0 <= x < {self.width}, 0 <= y < {self.height})"
            )

    def _open(self, tile: Tile) -> bool:
        return bool(self.walkable[tile[1], tile[0]])

    def _field(self, goal: Tile) -> tuple[np.ndarray, np.ndarray]:
        """(distance grid, next node per node) for an in-grid goal, via the LRU cache."""
        key = (int(goal[0]), int(goal[1]))
        hit = self._fields.get(key)
        if hit is not None:
            self._fields.move_to_end(key)
            return hit
        dist = np.full(self.height * self.width, -1, np.int32)
        source = int(self._node[key[1] * self.width + key[0]])
        if source >= 0:
            order, depth = _bfs(self._graph, source)
            dist[self._cells[order]] = depth
            nxt = _downhill(self._nbr, order, depth)
        else:
            nxt = np.empty(0, np.int32)
        dist.flags.writeable = False  # shared by every later query for this goal
        entry = (dist.reshape(self.height, self.width), nxt)
        self._fields[key] = entry
        if len(self._fields) > self.cache_size:
            self._fields.popitem(last=False)
        return entry


def _neighbours(walkable: np.ndarray, node: np.ndarray) -> np.ndarray:
    """(4, n) int32: row k holds each node's neighbour at ``STEPS[k]``, or ``n`` if none."""
    h, w = walkable.shape
    n = int(walkable.sum())
    ids = np.full((h + 2, w + 2), n, np.int32)
    ids[1:-1, 1:-1] = np.where(walkable, node.reshape(h, w), n)
    ys, xs = np.nonzero(walkable)
    return np.stack([ids[ys + 1 + dy, xs + 1 + dx] for dx, dy in STEPS])


def _node_graph(nbr: np.ndarray, n: int) -> csr_matrix:
    """Symmetric adjacency of the walkable tiles, float64 so scipy need not convert it."""
    rows = np.tile(np.arange(n), nbr.shape[0])
    cols = nbr.ravel()
    keep = cols < n
    return csr_matrix((np.ones(int(keep.sum())), (rows[keep], cols[keep])), shape=(n, n))


def _bfs(graph: csr_matrix, source: int) -> tuple[np.ndarray, np.ndarray]:
    """The nodes reached from ``source`` in BFS visit order, and their depths (int32)."""
    n = graph.shape[0]
    order, pred = breadth_first_order(graph, source, directed=True, return_predecessors=True)
    # Pointer jumping on the BFS tree, in visit positions: depth[i] counts the steps
    # from i up to anc[i], and each round doubles the jump. The last node visited is
    # the deepest, so once its ancestor is the source (position 0) all are done.
    pos = np.empty(n, np.int32)
    pos[order] = np.arange(order.size, dtype=np.int32)
    parent = pred[order]
    parent[0] = source
    anc = pos[parent]
    depth = np.ones(order.size, np.int32)
    depth[0] = 0
    while anc[-1] != 0:
        depth += depth[anc]
        anc = anc[anc]
    return order, depth


def _downhill(nbr: np.ndarray, order: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Each node's first neighbour (in ``STEPS`` order) one step closer to the source;
    -1 for the source and for unreached nodes."""
    n = nbr.shape[1]
    by_node = np.full(n + 1, -9, np.int32)  # unreached, and the padding node n
    by_node[order] = depth
    want = by_node[:n] - 1
    nxt = np.full(n, -1, np.int32)
    for cand in nbr:
        hit = by_node[cand] == want
        hit &= nxt < 0
        nxt[hit] = cand[hit]
    return nxt


def place_graph(arena: np.ndarray, walkable: np.ndarray, names: Sequence[str]) -> nx.Graph:
    """Arenas as nodes (attribute ``name``), with an edge where one can walk from one to
    the other: two walkable tiles 4-adjacent, or joined through walkable tiles that
    belong to no arena (a door cut through a wall)."""
    g = nx.Graph()
    g.add_nodes_from((i, {"name": name}) for i, name in enumerate(names))
    a = np.where(walkable, arena, -2)
    h, w = a.shape
    pairs: set[tuple[int, int]] = set()
    for dy, dx in ((0, 1), (1, 0)):
        one, two = a[: h - dy, : w - dx], a[dy:, dx:]
        touch = (one >= 0) & (two >= 0) & (one != two)
        lo, hi = np.minimum(one[touch], two[touch]), np.maximum(one[touch], two[touch])
        pairs.update(zip(lo.tolist(), hi.tolist(), strict=True))
    # Each connected patch of arena-less walkable tiles joins every arena it touches.
    labels, count = ndimage.label(a == -1)
    if count:
        around: set[tuple[int, int]] = set()
        for dy, dx in ((0, 1), (1, 0)):
            near, far = (slice(0, h - dy), slice(0, w - dx)), (slice(dy, h), slice(dx, w))
            for lab, ar in ((labels[near], a[far]), (labels[far], a[near])):
                rim = (lab > 0) & (ar >= 0)
                around.update(zip(lab[rim].tolist(), ar[rim].tolist(), strict=True))
        members: dict[int, list[int]] = {}
        for lab, ar in sorted(around):
            members.setdefault(lab, []).append(ar)
        for ars in members.values():
            pairs.update(combinations(ars, 2))
    g.add_edges_from(sorted(pairs))
    return g
