"""Navigation: tile shortest paths from cached distance fields, and the place graph.

A path query walks downhill on the goal's distance field. Fields come from a BFS
(scipy's csgraph, ~1 ms on a 140 x 100 town: 4x faster than the best numpy frontier
BFS we measured) and are kept in an LRU cache, so repeated trips to the same
places cost microseconds. Each cached field carries a next-step array so that
following a path is a pointer chase, not a search.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence

import networkx as nx
import numpy as np
from scipy import ndimage
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

Tile = tuple[int, int]
# Fixed neighbour order (up, left, right, down) makes paths deterministic.
_STEPS = ((0, -1), (-1, 0), (1, 0), (0, 1))


class Navigator:
    """Shortest 4-connected paths over the walkable tiles of a grid."""

    def __init__(self, walkable: np.ndarray, cache_size: int = 512) -> None:
        self.walkable = np.asarray(walkable, bool)
        self.height, self.width = self.walkable.shape
        self.cache_size = cache_size
        self._fields: OrderedDict[Tile, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        flat = self.walkable.ravel()
        self._node = np.full(flat.size, -1, np.int64)
        self._cells = np.flatnonzero(flat)
        self._node[self._cells] = np.arange(self._cells.size)
        self._graph = _grid_graph(self.walkable, self._node)

    # ------------------------------------------------------------------ queries
    def distance_field(self, goal: Tile) -> np.ndarray:
        """Steps from every tile to ``goal`` (int32, ``-1`` where unreachable)."""
        return self._field(goal)[0]

    def distance(self, start: Tile, goal: Tile) -> int | None:
        self._check(start)
        if not self._open(start) or not self._open(goal):
            return None
        d = int(self._field(goal)[0][start[1], start[0]])
        return d if d >= 0 else None

    def path(self, start: Tile, goal: Tile) -> list[Tile] | None:
        """Tiles from the one after ``start`` to ``goal``; ``[]`` when already there,
        ``None`` when unreachable or when either end is not walkable."""
        self._check(start)
        if not self._open(start) or not self._open(goal):
            return None
        dist, nxt = self._field(goal)
        x, y = start
        if dist[y, x] < 0:
            return None
        width = self.width
        here = y * width + x
        end = goal[1] * width + goal[0]
        out = []
        nxt_flat = nxt.ravel()
        while here != end:
            here = int(nxt_flat[here])
            out.append((here % width, here // width))
        return out

    def nearest(self, start: Tile, goals: Iterable[Tile]) -> tuple[Tile, int] | None:
        """The reachable goal closest to ``start`` (ties by row, then column)."""
        self._check(start)
        if not self._open(start):
            return None
        dist = self._field(start)[0]
        best: tuple[int, int, int] | None = None
        for gx, gy in goals:
            if not (0 <= gx < self.width and 0 <= gy < self.height):
                continue
            d = int(dist[gy, gx])
            if d >= 0 and (best is None or (d, gy, gx) < best):
                best = (d, gy, gx)
        return None if best is None else ((best[2], best[1]), best[0])

    def reachable(self, a: Tile, b: Tile) -> bool:
        return self.distance(a, b) is not None

    # ---------------------------------------------------------------- internals
    def _check(self, tile: Tile) -> None:
        x, y = tile
        if not (0 <= x < self.width and 0 <= y < self.height):
            raise ValueError(
                f"tile {tile} is outside the {self.width} x {self.height} grid "
                f"(expected 0 <= x < {self.width}, 0 <= y < {self.height})"
            )

    def _open(self, tile: Tile) -> bool:
        x, y = tile
        return 0 <= x < self.width and 0 <= y < self.height and bool(self.walkable[y, x])

    def _field(self, goal: Tile) -> tuple[np.ndarray, np.ndarray]:
        hit = self._fields.get(goal)
        if hit is not None:
            self._fields.move_to_end(goal)
            return hit
        self._check(goal)
        dist = np.full(self.height * self.width, -1, np.int32)
        if self._open(goal):
            source = int(self._node[goal[1] * self.width + goal[0]])
            d = shortest_path(self._graph, unweighted=True, indices=source, directed=False)
            finite = np.isfinite(d)
            dist[self._cells[finite]] = d[finite].astype(np.int32)
        dist = dist.reshape(self.height, self.width)
        entry = (dist, _next_steps(dist))
        self._fields[goal] = entry
        if len(self._fields) > self.cache_size:
            self._fields.popitem(last=False)
        return entry


def _grid_graph(walkable: np.ndarray, node: np.ndarray) -> csr_matrix:
    h, w = walkable.shape
    ids = node.reshape(h, w)
    rows, cols = [], []
    for dy, dx in ((0, 1), (1, 0)):
        both = walkable[: h - dy, : w - dx] & walkable[dy:, dx:]
        ys, xs = np.nonzero(both)
        rows.append(ids[ys, xs])
        cols.append(ids[ys + dy, xs + dx])
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    n = int(walkable.sum())
    return csr_matrix((np.ones(r.size, np.int8), (r, c)), shape=(n, n))


def _next_steps(dist: np.ndarray) -> np.ndarray:
    """For each tile, the flat index of the neighbour one step closer to the goal."""
    h, w = dist.shape
    nxt = np.full((h, w), -1, np.int32)
    flat_index = np.arange(h * w).reshape(h, w)
    padded = np.full((h + 2, w + 2), -1, np.int32)
    padded[1:-1, 1:-1] = dist
    pidx = np.full((h + 2, w + 2), -1, np.int32)
    pidx[1:-1, 1:-1] = flat_index
    want = dist - 1
    for dx, dy in _STEPS:
        neigh = padded[1 + dy : h + 1 + dy, 1 + dx : w + 1 + dx]
        take = (nxt < 0) & (dist > 0) & (neigh == want)
        nxt[take] = pidx[1 + dy : h + 1 + dy, 1 + dx : w + 1 + dx][take]
    return nxt


def place_graph(arena: np.ndarray, walkable: np.ndarray, names: Sequence[str]) -> nx.Graph:
    """Arenas as nodes (attribute ``name``), an edge where one can walk from one to the
    other directly or through walkable tiles that belong to no arena (a doorway)."""
    g = nx.Graph()
    for i, name in enumerate(names):
        g.add_node(i, name=name)
    a = np.where(walkable, arena, -2)
    h, w = a.shape
    for dy, dx in ((0, 1), (1, 0)):
        left, right = a[: h - dy, : w - dx], a[dy:, dx:]
        touch = (left >= 0) & (right >= 0) & (left != right)
        g.add_edges_from(set(zip(left[touch].tolist(), right[touch].tolist(), strict=True)))
    # walkable tiles outside every arena join all arenas around them
    labels, n = ndimage.label(a == -1)
    if n:
        grown = ndimage.grey_dilation(labels, footprint=ndimage.generate_binary_structure(2, 1))
        edge = (a >= 0) & (grown > 0)
        pairs = set(zip(grown[edge].tolist(), a[edge].tolist(), strict=True))
        by_label: dict[int, set[int]] = {}
        for lab, ar in pairs:
            by_label.setdefault(lab, set()).add(ar)
        for members in by_label.values():
            ms = sorted(members)
            g.add_edges_from((ms[0], m) for m in ms[1:])
            g.add_edges_from(zip(ms, ms[1:], strict=False))
    return g
