"""Sentence boundaries at paragraph breaks.

fr_core_news_md's parser joins sentences across a single newline ("...par le PAI.\\nBilan...").
This component, placed before the parser, marks the first token after any newline as a
sentence start so paragraphs never share a sentence.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.component("veille_paragraphs")
def paragraph_boundaries(doc: Doc) -> Doc:
    for i, token in enumerate(doc[:-1]):
        if "\n" in token.text or "\n" in token.whitespace_:
            doc[i + 1].is_sent_start = True
    return doc
