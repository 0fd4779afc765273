"""The article page: its text with figures and organisations highlighted in place."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from veille.archive import search as s
from veille.core.formatting import indicator_label, status_label
from veille.web.highlight import Span, highlight
from veille.web.pages.common import (
    not_found,
    page_router,
    path_segment,
    render,
    safe_url,
    sentence_anchor,
)

router = page_router()


def article_spans(
    detail: s.ArticleDetail, mentions: list[s.MentionSpan]
) -> tuple[list[Span], list[dict[str, Any]]]:
    spans: list[Span] = []
    figures: list[dict[str, Any]] = []
    seen_sentences: set[int] = set()
    for i, f in enumerate(detail.figures, start=1):
        end = f.sentence_start + len(f.sentence or "")
        if f.sentence and f.sentence_start not in seen_sentences:
            seen_sentences.add(f.sentence_start)
            spans.append(
                Span(
                    f.sentence_start,
                    end,
                    "span",
                    (("class", "phrase"),),
                    0,
                    sentence_anchor(f.sentence_start),
                )
            )
        what = " · ".join(x for x in (indicator_label(f.indicator), f.metric) if x)
        label = (
            f.formatted
            + (f" — {what}" if what else "")
            + (f" ({f.period})" if f.period else "")
            + (f" — {status_label(f.status)}" if f.status != "actual" else "")
        )
        spans.append(
            Span(f.start, f.end, "mark", (("class", "chiffre"), ("title", label)), 2, f"chiffre-{i}")
        )
        figures.append(
            {
                "display": f.formatted,
                "unit": f.unit,
                "metric": f.metric,
                "indicator_label": indicator_label(f.indicator),
                "status": f.status,
                "status_label": status_label(f.status),
                "period": f.period,
                "sentence": f.sentence,
                "anchor": f"chiffre-{i}",
                "key": f"{f.start}-{f.end}",
                "review": f.review,
                "reviewed_by": f.reviewed_by,
                "reviewed_at": f.reviewed_at,
                "sentence_anchor": sentence_anchor(f.sentence_start) if f.sentence else f"chiffre-{i}",
            }
        )
    taken: list[tuple[int, int]] = []
    for m in mentions:
        if any(m.start < b and a < m.end for a, b in taken):
            continue  # overlapping mentions would nest links
        taken.append((m.start, m.end))
        spans.append(
            Span(
                m.start,
                m.end,
                "a",
                (("class", "org"), ("href", f"/organisations/{path_segment(m.name)}"), ("title", m.name)),
                1,
            )
        )
    return spans, figures


@router.get("/articles/{article_id}", response_class=HTMLResponse, summary="Article (page)")
def article_page(request: Request, article_id: str) -> Response:
    if not article_id.isdigit() or len(article_id) > 12:
        raise not_found("Aucun article ne porte ce numéro.")
    store = request.app.state.store
    detail = s.article_detail(store, int(article_id))
    if detail is None:
        raise not_found("Aucun article ne porte ce numéro.")
    if detail.kind == "document":  # a file: its own page shows its tables
        from fastapi.responses import RedirectResponse

        return RedirectResponse(f"/documents/{detail.id}", status_code=303)
    spans, figures = article_spans(detail, s.org_mention_spans(store, detail.id))
    return render(
        request,
        "article.html",
        {
            **_review_context(request, detail.id),
            "a": {
                "id": detail.id,
                "title": detail.title,
                "source": detail.source,
                "published": detail.published,
                "author": detail.author,
                # a standfirst that opens the body is shown once, as the body's first paragraph
                "lead": None if _opens(detail.text, detail.lead) else detail.lead,
                "themes": detail.themes,
                "word_count": len(detail.text.split()),
                "partial": detail.partial,
                "publisher": detail.publisher,
            },
            "original_url": safe_url(detail.canonical_url) or safe_url(detail.url),
            "others": detail.other_sources,
            "body": highlight(detail.text, spans),
            "figures": figures,
            "orgs": sorted(detail.organisations, key=lambda o: (-o.count, o.name)),
            "persons": detail.persons,
        },
    )


def _opens(text: str, lead: str | None) -> bool:
    """Does ``text`` start with ``lead`` (accents, case, spaces and punctuation aside)?"""
    from veille.core.folding import fold

    if not lead:
        return False
    lead_key = "".join(c for c in fold(lead) if c.isalnum())
    text_key = "".join(c for c in fold(text[: 2 * len(lead) + 50]) if c.isalnum())
    return bool(lead_key) and text_key.startswith(lead_key)


def _review_context(request: Request, article_id: int) -> dict[str, Any]:
    """For an analyst: whether the article is marked "vérifié", its rejected figures, and what the
    form adding a missed figure needs (with the error of the last try, if any)."""
    from veille.archive import corrections as corr
    from veille.web.auth import session_of
    from veille.web.corrections import DONE, choices, form_values

    session = session_of(request)
    store = request.app.state.store
    context: dict[str, Any] = {"review": corr.review_of(store, article_id), "notice": None}
    if session.account is None or not session.can("analyste"):
        return context
    rejected = [c for c in corr.latest_of(store, article_id) if c.action == "reject"]
    return {
        **context,
        **choices(request),
        "rejected": rejected,
        "values": form_values({"status": "actual"}),
        "add_error": request.query_params.get("erreur", "")[:500] or None,
        "add_words": request.query_params.get("mots", "")[:300],
        "notice": DONE.get(request.query_params.get("ok", "")),
    }
