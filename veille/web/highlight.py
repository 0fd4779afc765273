"""Wrap spans of a plain text in HTML elements by character offsets, escaping the rest.

Spans may nest or overlap (a figure inside its sentence, an organisation overlapping a
figure): the text is cut at every boundary and, segment by segment, the elements that
must be open are opened in priority order (lower first, i.e. outermost); an element
crossing the end of an outer one is closed and reopened, the ``id`` going only on its
first piece so anchors stay unique. Nothing of the text is ever emitted unescaped.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True, eq=False)
class Span:
    start: int
    end: int
    tag: str  # "span", "mark", "a"
    attrs: tuple[tuple[str, str], ...] = ()
    priority: int = 0  # lower = outer
    anchor: str | None = None  # id, on the first piece only


def _open(span: Span, first: bool) -> str:
    attrs = list(span.attrs)
    if first and span.anchor:
        attrs.insert(0, ("id", span.anchor))
    rendered = "".join(f' {name}="{escape(value)}"' for name, value in attrs)
    return f"<{span.tag}{rendered}>"


def highlight(text: str, spans: list[Span]) -> Markup:
    """``text`` as escaped HTML with ``spans`` wrapped; invalid or empty spans are ignored."""
    n = len(text)
    usable = [s for s in spans if 0 <= s.start < s.end <= n]
    order = {id(s): i for i, s in enumerate(usable)}
    bounds = sorted({0, n, *(s.start for s in usable), *(s.end for s in usable)})
    out: list[str] = []
    stack: list[Span] = []
    opened: set[int] = set()
    for a, b in zip(bounds, bounds[1:], strict=False):
        active = sorted(
            (s for s in usable if s.start <= a and s.end >= b),
            key=lambda s: (s.priority, s.start, -s.end, order[id(s)]),
        )
        keep = 0
        while keep < len(stack) and keep < len(active) and stack[keep] is active[keep]:
            keep += 1
        for s in reversed(stack[keep:]):
            out.append(f"</{s.tag}>")
        del stack[keep:]
        for s in active[keep:]:
            out.append(_open(s, id(s) not in opened))
            opened.add(id(s))
            stack.append(s)
        out.append(str(escape(text[a:b])))
    for s in reversed(stack):
        out.append(f"</{s.tag}>")
    return Markup("".join(out))
