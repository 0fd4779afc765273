"""``config/pipeline.toml``: the item pipeline's stages ([normalise], [relevance], [dedup])
and how much text the extractor is given ([extract])."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, field_validator, model_validator

from veille.core.conf import Bool, Float, Int, Model, Str

# Query parameters that only say where a reader came from. Glob patterns, matched lowercased.
DEFAULT_TRACKING_PARAMS: tuple[str, ...] = (
    "utm_*", "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "igshid",
    "mc_cid", "mc_eid", "_ga", "_gl", "xtor", "xtref", "xts", "at_*", "ns_*", "ito", "cmpid",
    "wt.mc_id", "wt_mc_id", "ocid", "s_cid", "sr_share", "share", "spm", "__twitter_impression",
    "amp", "outputtype",
)  # fmt: skip

# Lines that are navigation or share prompts rather than article text. Regexes matched at
# the start of the accent- and case-folded line (see :func:`veille.archive.store.fold`).
DEFAULT_BOILERPLATE: tuple[str, ...] = (
    r"(a )?lire (aussi|egalement|la suite)\b",
    r"(a )?voir (aussi|egalement)\b",
    r"sur le meme (sujet|theme)\b",
    r"partager( cet article| sur| l'article|$)",
    r"(suivez|rejoignez)[- ]nous\b",
    r"abonnez[- ]vous\b",
    r"inscrivez[- ]vous a (notre|la) newsletter\b",
    r"recevez (notre|la) newsletter\b",
    r"cliquez ici\b",
    r"publicite$",
    r"(tweeter|imprimer|envoyer par (e-?mail|courriel))$",
    r"(facebook|twitter|linkedin|whatsapp|x)( ?[|/,-] ?(facebook|twitter|linkedin|whatsapp|x|e-?mail))+$",
    r"votre adresse (e-?mail|de messagerie) ne sera pas publiee",
    r"(laisser|ajouter|poster) un commentaire\b",
    r"\d+ commentaires?$",
    r"tous droits reserves\b",
    r"(c|\(c\)|©) ?\d{4}\b",
)

DEFAULT_MAX_TEXT_CHARS = 300_000
MIN_MAX_TEXT_CHARS = 200


class NormaliseConfig(Model):
    """The ``[normalise]`` table (``max_text_chars`` comes from ``[extract]``)."""

    tracking_params: tuple[Str, ...] = DEFAULT_TRACKING_PARAMS
    boilerplate: tuple[Str, ...] = DEFAULT_BOILERPLATE
    boilerplate_max_chars: Int = Field(200, ge=0)  # longer lines are never treated as boilerplate
    site_names: tuple[Str, ...] = ()  # title suffixes always stripped (" | Le360", " - H24info")
    # longer texts are cut; set from [extract] (left out of dumps, so a dump validates again)
    max_text_chars: Int = Field(DEFAULT_MAX_TEXT_CHARS, ge=MIN_MAX_TEXT_CHARS, exclude=True)

    @field_validator("tracking_params")
    @classmethod
    def _lower(cls, params: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(p.lower() for p in params)

    @field_validator("boilerplate")
    @classmethod
    def _patterns(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad boilerplate pattern {pattern!r}: {exc}") from None
        return patterns


class RelevanceConfig(Model):
    """The ``[relevance]`` table."""

    languages: tuple[Str, ...] = Field(("fr",), min_length=1)
    keep_unknown_language: Bool = True  # too short to tell: let the lexicon decide

    @field_validator("languages")
    @classmethod
    def _lower(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(c.lower() for c in codes)


class DedupConfig(Model):
    """The ``[dedup]`` table."""

    threshold: Float = Field(
        0.7, gt=0, lt=1
    )  # estimated Jaccard similarity of shingle sets to share a cluster
    num_perm: Int = Field(128, ge=16)
    shingle: Int = Field(5, ge=1)  # words per shingle
    window_days: Int = Field(90, ge=0)  # archived articles loaded into the index at spider open
    min_words: Int = Field(15, ge=0)  # shorter texts (feed snippets) are not clustered
    seed: Int = 1


class WorkerConfig(Model):
    """The ``[extract.worker]`` table: how ``veille extract --worker`` processes share the work."""

    batch: Int = Field(32, ge=1, le=2000)  # articles claimed at once
    lease_seconds: Float = Field(300.0, ge=1)  # a claim not renewed this long is taken over
    poll_seconds: Float = Field(10.0, gt=0)  # an idle worker asks again after this long
    max_attempts: Int = Field(3, ge=1)  # tries of one article (failures, dead workers) before giving up


class ExtractConfig(Model):
    """The ``[extract]`` table."""

    max_text_chars: Int = Field(DEFAULT_MAX_TEXT_CHARS, ge=MIN_MAX_TEXT_CHARS)
    worker: WorkerConfig = WorkerConfig()


class PipelineConfig(Model):
    normalise: NormaliseConfig = NormaliseConfig()
    relevance: RelevanceConfig = RelevanceConfig()
    dedup: DedupConfig = DedupConfig()
    extract: ExtractConfig = ExtractConfig()

    @model_validator(mode="before")
    @classmethod
    def _one_text_cap(cls, data: Any) -> Any:
        """The text cap is written once, in [extract]; the normaliser cuts texts to it."""
        if not isinstance(data, dict):
            return data
        normalise = data.get("normalise", {})
        if isinstance(normalise, dict):
            if "max_text_chars" in normalise:
                raise ValueError("max_text_chars belongs in [extract]")
            extract = data.get("extract", {})
            cap = extract.get("max_text_chars") if isinstance(extract, dict) else None
            # a bad cap is left to [extract]'s own check, which names that field
            if isinstance(cap, int) and not isinstance(cap, bool) and cap >= MIN_MAX_TEXT_CHARS:
                data = {**data, "normalise": {**normalise, "max_text_chars": cap}}
        return data
