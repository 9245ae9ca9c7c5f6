"""The errors of the connectivity model: bad input, and a name that picks no single thing."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ConnectivityError(ValueError):
    """Bad input to the connectivity model.

    A malformed address, a directory that is no cloud assembly, a question the model
    cannot ask.
    """


class PathError(ConnectivityError, KeyError):
    """A construct path (or name) that names nothing, or several things.

    Both a ``ValueError`` and a ``KeyError``, so either ``except`` catches it. ``name`` is
    what was asked for, ``candidates`` the closest names the model knows (or, when the name
    is ambiguous, every thing it names).
    """

    def __init__(self, message: str, *, name: str, candidates: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.name = name
        self.candidates: tuple[str, ...] = tuple(candidates)

    def __str__(self) -> str:
        # KeyError quotes its argument; read like any other error instead.
        return str(self.args[0])


def closest(name: str, names: Iterable[str], *, count: int = 5) -> list[str]:
    """Return up to ``count`` of ``names`` closest to ``name`` (difflib), best first.

    Names that contain ``name`` (or its last component) come first, so a short or partial
    path still finds its subnets.
    """
    pool = sorted(set(names))
    tail = name.rstrip("/").rsplit("/", 1)[-1].lower()
    found = [each for each in pool if tail and tail in each.lower()]
    if len(found) > count:
        found = difflib.get_close_matches(name, found, n=count, cutoff=0) or found[:count]
    for each in difflib.get_close_matches(name, pool, n=count, cutoff=0.4):
        if each not in found:
            found.append(each)
    return found[:count]


def not_found(kind: str, name: str, names: Iterable[str]) -> PathError:
    """Build the error for a name that names no ``kind``, listing the closest names."""
    near = closest(name, names)
    hint = f"; the closest are: {', '.join(near)}" if near else ""
    return PathError(f"{name!r} names no {kind} of the assembly{hint}", name=name, candidates=near)


def ambiguous(name: str, matches: Iterable[str]) -> PathError:
    """Build the error for a name that names several things, listing them."""
    found = sorted(set(matches), key=str.lower)
    return PathError(
        f"{name!r} names {len(found)} things: {', '.join(found)}; give one of their paths",
        name=name,
        candidates=found,
    )
