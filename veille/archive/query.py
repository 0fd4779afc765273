"""The search syntax: user text -> a small AST -> an FTS5 or tsquery expression.

Syntax (all case-insensitive, accents optional)::

    offshoring emploi            both words (stemmed: "emplois", "Emploi" match)
    "zone franche"               a phrase
    Rabat OR Casablanca          either ("|" works too)
    offshoring -Tunisie          exclusion ("NOT Tunisie" works too)
    export*                      prefix

Anything else is tolerated: stray quotes close at the end, lone ``*``/``-``/``OR`` are
ignored, punctuation separates words (``NEAR(`` is the word "near"), control characters
are dropped. A query with nothing left to search for, or too long, raises
:class:`QueryError` (one line). Expressions are sent to the database as bound
parameters; no SQL is ever built from user text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from veille.archive.fulltext import WORD_RE, fold_word, key, prefix_key
from veille.core.errors import VeilleError

MAX_LENGTH = 1000  # characters
MAX_TERMS = 32


class QueryError(VeilleError):
    """The search text cannot be used (empty after parsing, too long...)."""

    exit_code = 2


@dataclass(frozen=True)
class Term:
    word: str  # as typed (one word: letters and digits)
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]


Atom = Term | Phrase


@dataclass(frozen=True)
class AnyOf:
    """One required clause: at least one of its options must match."""

    options: tuple[Atom, ...]


@dataclass(frozen=True)
class ParsedQuery:
    required: tuple[AnyOf, ...] = ()
    excluded: tuple[Atom, ...] = ()
    text: str = field(default="", compare=False)
    # folded words that PostgreSQL's stemmer maps to the same lexeme as their plural/singular
    # twin ("recrutement", "recrutements" -> 'recrut'): the tsquery names them once (see
    # :meth:`ts_twins`; filled in by the PostgreSQL search, which asks the server)
    same_stem: frozenset[str] = field(default=frozenset(), compare=False)

    def __bool__(self) -> bool:
        return bool(self.required)

    # -- what to highlight ----------------------------------------------------------------
    def keys(self) -> set[str]:
        out: set[str] = set()
        for clause in self.required:
            for atom in clause.options:
                if isinstance(atom, Term) and not atom.prefix:
                    out.add(key(atom.word))
                elif isinstance(atom, Phrase):
                    out.update(key(w) for w in atom.words)
        out.discard("")
        return out

    def prefixes(self) -> set[str]:
        return {
            prefix_key(a.word) for c in self.required for a in c.options if isinstance(a, Term) and a.prefix
        }

    # -- compilation --------------------------------------------------------------------
    def to_fts5(self) -> str:
        """An FTS5 MATCH expression over the key-indexed columns (every token quoted)."""
        clauses = [_fts_clause(c) for c in self.required]
        expr = " AND ".join(c if len(clauses) == 1 else f"({c})" for c in clauses)
        excluded = [_fts_atom(a) for a in self.excluded]
        excluded = [e for e in excluded if e]
        if excluded:
            expr = f"({expr}) NOT ({' OR '.join(excluded)})"
        return expr

    def to_tsquery(self, *, loose: bool = False) -> str:
        """A ``to_tsquery('veille_fr', ...)`` expression; words reach PostgreSQL's stemmer as typed.

        ``loose``: phrases become "all their words" and excluded phrases are left out — a wider
        query the GIN index answers without reading word positions (the exact one narrows it)."""
        same = self.same_stem
        clauses = [_ts_clause(c, loose, same) for c in self.required]
        parts = [f"({c})" for c in clauses]
        parts += [
            f"!({_ts_atom(a, False, same)})" for a in self.excluded if not (loose and isinstance(a, Phrase))
        ]
        return " & ".join(parts)

    def ts_twins(self) -> list[tuple[str, str]]:
        """(folded word, its plural/singular twin) for every word the tsquery names in both forms."""
        words = [w for a in self._atoms() for w in ((a.word,) if isinstance(a, Term) and not a.prefix else
                                                    a.words if isinstance(a, Phrase) else ())]  # fmt: skip
        pairs = (_ts_forms(w) for w in words)
        return list(dict.fromkeys((f[0], f[1]) for f in pairs if len(f) == 2))

    @property
    def has_phrase(self) -> bool:
        return any(isinstance(a, Phrase) for a in self._atoms())

    def _atoms(self) -> list[Atom]:
        """Every term and phrase of the query, required or excluded."""
        return [a for c in self.required for a in c.options] + list(self.excluded)


def _fts_atom(atom: Atom) -> str:
    if isinstance(atom, Term):
        if atom.prefix:
            options = [f'"{p}"*' for p in dict.fromkeys((fold_word(atom.word), prefix_key(atom.word)))]
            options += [f'"{t}"' for t in _truncations(atom.word)]
            return options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")"
        return f'"{key(atom.word)}"'
    keys = [k for k in (key(w) for w in atom.words) if k]
    return f'"{" ".join(keys)}"' if keys else ""


def _fts_clause(clause: AnyOf) -> str:
    return " OR ".join(a for a in (_fts_atom(o) for o in clause.options) if a)


def _truncations(prefix: str) -> list[str]:
    """Stems a word starting with ``prefix`` may have been cut to ("exportat*" -> "exporta", "export", "expor").

    The index holds stems ("exportations" -> "export"), shorter than some typed prefixes.
    """
    folded = fold_word(prefix)
    return [folded[:n] for n in range(len(folded) - 1, max(3, len(folded) - 4), -1)]


def _ts_forms(word: str) -> list[str]:
    """A folded word and its singular/plural twin (Snowball keeps "emplois" apart from "emploi")."""
    folded = fold_word(word)
    forms = [folded]
    if len(folded) > 3 and folded[-1] in "sx":
        forms.append(folded[:-1])
    elif len(folded) > 2 and folded.isalpha() and folded[-1] not in "sx":
        forms.append(folded + "s")
    return forms


def _ts_word(word: str, same: frozenset[str] = frozenset()) -> str:
    """The word or both its forms; once when PostgreSQL stems both alike (``same``): a tsquery
    naming a lexeme twice makes the planner count its index entries twice and, finding the
    index dearer than it is, test the text of every article of a slice instead."""
    forms = _ts_forms(word)
    if len(forms) == 1 or forms[0] in same:
        return forms[0]
    return "(" + " | ".join(forms) + ")"


def _ts_atom(atom: Atom, loose: bool = False, same: frozenset[str] = frozenset()) -> str:
    if isinstance(atom, Term):
        if atom.prefix:
            return " | ".join([f"{fold_word(atom.word)}:*", *_truncations(atom.word)])
        return _ts_word(atom.word, same)
    return (" & " if loose else " <-> ").join(_ts_word(w, same) for w in atom.words)


def _ts_clause(clause: AnyOf, loose: bool = False, same: frozenset[str] = frozenset()) -> str:
    return " | ".join(f"({_ts_atom(o, loose, same)})" if loose and len(clause.options) > 1
                      else _ts_atom(o, loose, same) for o in clause.options)  # fmt: skip


# -- parsing ---------------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_LEX = re.compile(r'(?P<quote>-?"[^"]*"?)|(?P<or>\|)|(?P<word>-?[^\s"|]+)')
_QUOTES = str.maketrans({"«": '"', "»": '"', "“": '"', "”": '"', "„": '"'})


def _atom_from(chunk: str) -> Atom | None:
    """A bare chunk ("emplois", "export*", "e-commerce", "NEAR(") -> a term, a phrase or nothing."""
    prefix = chunk.endswith("*")
    words = WORD_RE.findall(chunk)
    if not words:
        return None
    if len(words) == 1:
        word = words[0]
        if prefix and len(fold_word(word)) >= 2:
            return Term(word, prefix=True)
        return Term(word) if key(word) else None
    # "e-commerce", "l'emploi", "Fès-Shore": adjacent words; stop words only matter inside
    content = [w for w in words if key(w)]
    if not content:
        return None
    if len(content) == 1:
        return Term(content[0])
    return Phrase(tuple(words))


def parse(text: str) -> ParsedQuery:
    """Turn user text into a :class:`ParsedQuery`; never raises anything but :class:`QueryError`."""
    if not isinstance(text, str):
        raise QueryError("the search text must be a string")
    if len(text) > MAX_LENGTH:
        raise QueryError(f"search text too long ({len(text)} characters, at most {MAX_LENGTH}): shorten it")
    clean = _CONTROL.sub(" ", text).translate(_QUOTES)
    clauses: list[list[Atom]] = []
    excluded: list[Atom] = []
    pending_or = False
    negate_next = False
    for m in _LEX.finditer(clean):
        kind = m.lastgroup
        chunk = m.group()
        if kind == "or" or chunk == "OR":
            pending_or = bool(clauses)
            continue
        if chunk in ("AND", "&&"):
            continue
        if chunk == "NOT":
            negate_next = True
            continue
        negate = negate_next
        negate_next = False
        if kind == "quote":
            if chunk.startswith("-"):
                negate = True
            words = tuple(WORD_RE.findall(chunk))
            content = [w for w in words if key(w)]
            atom: Atom | None = (
                None if not content else Term(content[0]) if len(words) == 1 else Phrase(words)
            )
            if atom is not None and len(words) > 1 and len(content) == 1 and len(words) == len(content):
                atom = Term(content[0])
        else:
            if chunk.startswith("-") and len(chunk) > 1:
                negate = True
                chunk = chunk.lstrip("-")
            atom = _atom_from(chunk)
        if atom is None:
            continue
        if negate:
            excluded.append(atom)
            pending_or = False
            continue
        if pending_or and clauses:
            clauses[-1].append(atom)
        else:
            clauses.append([atom])
        pending_or = False
    n_terms = sum(len(c) for c in clauses) + len(excluded)
    if n_terms > MAX_TERMS:
        raise QueryError(f"too many search terms ({n_terms}, at most {MAX_TERMS}): shorten the query")
    if not clauses:
        if excluded:
            raise QueryError("the search only excludes words: add at least one word to look for")
        raise QueryError(f"nothing to search for in {_shown(text)}: type one or more words")
    return ParsedQuery(
        required=tuple(AnyOf(tuple(dict.fromkeys(c))) for c in clauses),
        excluded=tuple(dict.fromkeys(excluded)),
        text=text,
    )


def _shown(text: str) -> str:
    flat = _CONTROL.sub(" ", text).strip()
    return repr(flat[:40] + ("…" if len(flat) > 40 else ""))
