"""The places an agent may choose from: the arenas it knows and their objects
(SpatialMemory, one per agent), and the shared index that shortlists the objects
fitting an activity (PlaceIndex)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from smallville.world.places import Places


def private_arenas(places: Places, homes: Iterable[str], workplaces: Iterable[str]) -> set[str]:
    """Arenas that belong to someone: every home arena, and every arena of a sector
    where people live but nobody works (a house)."""
    homes = set(homes)
    work_sectors = {w.split(":")[1] for w in workplaces if w}
    home_sectors = {h.split(":")[1] for h in homes}
    private = set(homes)
    for a in places.arenas:
        if a.sector in home_sectors and a.sector not in work_sectors:
            private.add(a.address)
    return private


class SpatialMemory:
    """Known arenas and the objects seen in them."""

    def __init__(self, places: Places, home: str, private: set[str]) -> None:
        self.places = places
        self.home = home
        self.home_sector = ":".join(home.split(":")[:2])
        self.private = private
        self.known: dict[str, set[str]] = {}

    def start(self, workplace: str | None) -> None:
        """At the start an agent knows its home, its workplace and every public place."""
        for a in self.places.arenas:
            mine = a.address.startswith(self.home_sector + ":")
            if mine or a.address == workplace or a.address not in self.private:
                self.learn(a.address)

    def learn(self, arena: str) -> bool:
        """Remember an arena and its objects; True when it was new."""
        if arena in self.known:
            return False
        self.known[arena] = {o.address for o in self.places.objects_in(arena)}
        return True

    def allowed(self, arena: str) -> bool:
        """Other people's private rooms are off limits (no invitations yet)."""
        return arena not in self.private or arena.startswith(self.home_sector + ":")

    def options(self) -> list[str]:
        """Object addresses the agent may choose for an action, sorted for stability."""
        out = []
        for arena in sorted(self.known):
            if self.allowed(arena):
                out.extend(sorted(self.known[arena]))
        return out

    def to_state(self) -> list[str]:
        return sorted(self.known)

    def load_state(self, arenas: list[str]) -> None:
        self.known = {}
        for a in arenas:
            self.learn(a)


class PlaceIndex:
    """Embeddings of every object address, to offer each block a relevant shortlist."""

    def __init__(self, addresses: Sequence[str], vectors: np.ndarray) -> None:
        self.addresses = list(addresses)
        self.row = {a: i for i, a in enumerate(self.addresses)}
        self.vectors = np.asarray(vectors, np.float32)

    @staticmethod
    def text(address: str) -> str:
        _, sector, arena, obj = address.split(":")[:4]
        return f"{obj} in the {arena} of {sector}"

    def shortlist(
        self,
        allowed: Sequence[str],
        queries: np.ndarray,
        per_query: int,
        always: Sequence[str],
        cap: int,
    ) -> list[str]:
        rows = np.array([self.row[a] for a in allowed], np.int64)
        chosen: dict[str, None] = dict.fromkeys(a for a in always if a in self.row)
        sims = self.vectors[rows] @ np.asarray(queries, np.float32).T  # (options, queries)
        for q in range(sims.shape[1]):
            for j in np.argsort(-sims[:, q], kind="stable")[:per_query]:
                chosen[allowed[int(j)]] = None
        return sorted(chosen)[:cap]
