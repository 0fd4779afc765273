"""The analysts' merges and splits of organisations folded back into the gazetteer
(``config/organisations.toml``), its comments and layout kept (tomlkit): ``veille orgs
export-gazetteer``. The extractor then reads them from the file itself.

- a merge: the merged organisation's name, acronyms and aliases become the other's forms, and its
  own entry goes; an organisation the file did not have gets an entry;
- a split: the forms of the mentions moved become the other organisation's (an entry made when
  needed), unless the first one's mentions still use them: a form both use is left where it is,
  and said (the gazetteer matches forms, it cannot tell such mentions apart).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table

from pipeline.gazetteer import fold
from veille.archive.overlay import OrgEdit

ACRONYM = re.compile(r"^[A-Z0-9&.\-]{2,12}$")


def _forms(entry: Any) -> list[str]:
    return [str(entry["name"]), *map(str, entry.get("acronyms", [])), *map(str, entry.get("aliases", []))]


def _entry(entries: AoT, name: str) -> Table | None:
    """The entry whose name is ``name``, else the first with it as an acronym or alias."""
    key = fold(name)
    named = [e for e in entries if fold(str(e["name"])) == key]
    if named:
        return named[0]
    return next((e for e in entries if any(fold(f) == key for f in _forms(e))), None)


def _add_form(entry: Table, form: str) -> bool:
    """Add ``form`` to the entry (an acronym when it is written as one); False when it had it."""
    if any(fold(f) == fold(form) for f in _forms(entry)):
        return False
    field = "acronyms" if ACRONYM.match(form) else "aliases"
    if field not in entry:
        entry[field] = tomlkit.array()
    entry[field].append(form)
    return True


def _drop_form(entry: Table, form: str) -> bool:
    dropped = False
    for field in ("acronyms", "aliases"):
        values = entry.get(field)
        if values is None:
            continue
        for i in reversed(range(len(values))):
            if fold(str(values[i])) == fold(form):
                del values[i]
                dropped = True
    return dropped


def _target(entries: AoT, name: str, kind: str | None, said: list[str]) -> Table:
    entry = _entry(entries, name)
    if entry is None:
        entry = tomlkit.table()
        entry["name"] = name
        entry["kind"] = kind or "company"
        entries.append(entry)
        said.append(f"new entry: {name} ({entry['kind']})")
        entry = entries[-1]
    return entry


def fold_edits(
    document: tomlkit.TOMLDocument,
    edits: Iterable[OrgEdit],
    *,
    kind_of: Callable[[str], str | None],
    moved_forms: Callable[[OrgEdit], set[str]],
    forms_written: Callable[[str], set[str]],
) -> list[str]:
    """Apply the edits, in order, to the gazetteer document; what was done, one line each."""
    if "organisation" not in document:
        document["organisation"] = tomlkit.aot()
    entries = document["organisation"]
    said: list[str] = []
    for edit in edits:
        if edit.action == "merge":
            source = _entry(entries, edit.source)
            kind = kind_of(edit.target) or (source.get("kind") if source is not None else None)
            target = _target(entries, edit.target, kind, said)
            added = [
                f for f in (_forms(source) if source is not None else [edit.source]) if _add_form(target, f)
            ]
            if source is not None and source is not target:
                entries.remove(source)
            said.append(
                f"merged {edit.source} into {edit.target}"
                + (f" (forms: {', '.join(added)})" if added else "")
            )
            continue
        source = _entry(entries, edit.source)
        target = _target(entries, edit.target, edit.target_kind or kind_of(edit.target), said)
        still = {fold(f) for f in forms_written(edit.source)}
        for form in sorted(moved_forms(edit)):
            if fold(form) in still:
                said.append(f"kept '{form}' on {edit.source}: mentions of both organisations are written so")
            elif fold(form) != fold(edit.target):
                if source is not None:
                    _drop_form(source, form)
                if _add_form(target, form):
                    said.append(f"'{form}' now names {edit.target}")
    return said


def export_gazetteer(path: str | Path, edits: list[OrgEdit], **readers: Any) -> list[str]:
    """Fold the edits into the gazetteer file at ``path`` (written in place)."""
    p = Path(path)
    document = tomlkit.parse(p.read_text(encoding="utf-8")) if p.exists() else tomlkit.document()
    said = fold_edits(document, edits, **readers)
    p.write_text(tomlkit.dumps(document), encoding="utf-8")
    return said
