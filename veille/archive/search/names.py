"""The organisations and persons a search names: a name, an alias or a surname as typed, to ids
(accents and case ignored), for one query or for many at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from veille.archive import schema as t
from veille.archive.store import fold


def find_orgs(conn: Any, name_or_alias: str) -> list[int]:
    """The organisations a name or an alias stands for (see :func:`org_ids_of`)."""
    return org_ids_of(conn, [name_or_alias])[name_or_alias]


def org_ids_of(conn: Any, names: Sequence[str]) -> dict[str, list[int]]:
    """The organisation ids each name or alias stands for (accents and case ignored): the aliases
    that fold alike, else the organisations whose name folds alike; one read for all the names."""
    keys = {n: fold(n) for n in names}
    found: dict[str, set[int]] = {k: set() for k in keys.values() if k}
    if found:
        a = t.org_aliases
        for k, oid in conn.execute(
            sa.select(a.c.alias_key, a.c.org_id).where(a.c.alias_key.in_(list(found)))
        ):
            found[k].add(oid)
    missing = {k for k, ids in found.items() if not ids}
    if missing:
        for oid, name in conn.execute(sa.select(t.organisations.c.id, t.organisations.c.name)):
            if (k := fold(name)) in missing:
                found[k].add(oid)
    return {n: sorted(found.get(k, ())) for n, k in keys.items()}


def find_persons(conn: Any, name: str) -> list[int]:
    """The persons a name stands for (see :func:`person_ids_of`)."""
    return person_ids_of(conn, [name])[name]


def person_ids_of(conn: Any, names: Sequence[str]) -> dict[str, list[int]]:
    """The persons each name stands for (the full name, or words of it in order: a surname); one
    read for all the names."""
    wanted = {n: fold(n).split() for n in names}
    out: dict[str, list[int]] = {n: [] for n in names}
    if not any(wanted.values()):
        return out
    for pid, pname in conn.execute(sa.select(t.persons.c.id, t.persons.c.name)):
        pk = fold(pname).split()
        for n, words in wanted.items():
            if words and (pk == words or any(pk[i : i + len(words)] == words for i in range(len(pk)))):
                out[n].append(pid)
    return out
