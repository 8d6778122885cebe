"""Spatial memory: the places an agent knows, as a sector -> arena -> object tree."""

from __future__ import annotations

from collections.abc import Iterable

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
