"""Dates a page introduces with a label: "Erschienen am: 01.11.2023", "Datum: 18.10.2021",
"Publié le 3 mars 2025", "Published on March 3, 2020", "Publicado el 5 de mayo de 2022".

A publication label names the date after it as the page's; a modification label ("Letzte
Änderung", "Aktualisiert", "Mis à jour", "Updated", "Actualizado", "Aggiornato") names a change,
never the publication: its date is not read as the page's (an old article refreshed is not
this week's news). The labels are read in the page's HTML (markup between the label and its date,
"<span>Datum:</span> <span>18.10.2021</span>", is skipped), outside scripts, links and comments'
blocks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

# labels introducing the publication date, in the languages of the pages Veille reads
PUBLISHED_LABELS = (
    r"publié\s+le|publie\s+le|mis\s+en\s+ligne\s+le|paru\s+le|date\s+de\s+publication\s*:"
    r"|erschienen\s+am|veröffentlicht\s+am|publiziert\s+am|datum\s*:|erscheinungsdatum\s*:"
    r"|published\s+on|published\s*:|date\s+published\s*:|written\s*:"
    r"|publicado\s+el|fecha\s+de\s+publicación\s*:|pubblicato\s+il|data\s+di\s+pubblicazione\s*:"
    r"|gepubliceerd\s+op|publicado\s+em"
)
# labels introducing a change: their date is the last modification's
MODIFIED_LABELS = (
    r"mis\s+à\s+jour|mise\s+à\s+jour|modifié\s+le|dernière\s+modification"
    r"|letzte\s+änderung|zuletzt\s+(?:geändert|aktualisiert)|aktualisiert|geändert\s+am"
    r"|(?:last\s+)?updated|last\s+modified|actualizado|actualización|aggiornato|bijgewerkt"
)
_FIRST_LETTERS = "abdefglmpuvwz"  # the letters the labels above start with (either case: IGNORECASE)
_GAP = r"(?:\s|&nbsp;|&#160;|<(?!/?a\b)[^<>]{0,200}>){0,12}"  # markup between a label and its date
# the lookahead lets the engine skip, at a character test, every place no label can start (a
# whole page's HTML is read: without it, trying the alternatives everywhere costs ~20 ms a page)
_LABELLED = re.compile(
    r"(?=["
    + _FIRST_LETTERS
    + r"])(?<![\w-])(?:(?P<pub>"
    + PUBLISHED_LABELS
    + r")|(?P<mod>"
    + MODIFIED_LABELS
    + r"))"
    r"(?:\s*:)?" + _GAP + r"(?P<date>[^<>]{4,60})",
    re.IGNORECASE,
)
# a change's label with the date after it, up to the next publication label ("Updated Mar 12,
# 2020 @ 10:42 am", "Written: 2023-11-07 15:03 / Updated: 2023-11-07 15:30")
_CHANGE = re.compile(
    r"(?<![\w-])(?:" + MODIFIED_LABELS + r")(?:(?!" + PUBLISHED_LABELS + r").){0,40}", re.IGNORECASE
)
_SKIPPED = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
# the class words of another item than the article (a comment, a teaser, a related article)
OTHER_ITEMS = "comment|teaser|related"
_OTHER_BLOCK = re.compile(r"""class\s*=\s*["'][^"']*\b(?:""" + OTHER_ITEMS + ")", re.IGNORECASE)


def without_changes(text: str) -> str:
    """``text`` without its modification labels and their dates."""
    return _CHANGE.sub(" ", text) if re.search(MODIFIED_LABELS, text, re.IGNORECASE) else text


def labelled_date(html: str, read: Callable[[str], datetime | None], limit: int = 3) -> datetime | None:
    """The first date written after a publication label in ``html`` (read by ``read``, which
    takes the text after the label and returns its date or None), or None. A label of a
    change is skipped with its date; so are labels inside a comment, a teaser or a related
    article's block (a ``class`` naming one opens within the 2,000 characters before it)."""
    text = _SKIPPED.sub(" ", html)
    seen = 0
    for m in _LABELLED.finditer(text):
        if m.group("mod") or _OTHER_BLOCK.search(text, max(0, m.start() - 2000), m.start()):
            continue
        dt = read(m.group("date"))
        if dt is not None:
            return dt
        seen += 1
        if seen >= limit:
            return None
    return None
