"""Build the digest email: Jinja2 templates -> inlined HTML + plain text -> MIME message.

Building is separate from sending (:mod:`digest.smtp`). The structure is::

    multipart/alternative
      text/plain
      multipart/related
        text/html            (CSS inlined with css_inline; <img src="cid:...">)
        image/png            (the chart, Content-ID referenced by the HTML)

Templates are loaded and compiled once, at start (:func:`load_templates`): a broken
template fails there with its file and line, not in the middle of a send.
"""

from __future__ import annotations

import email.policy
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import css_inline
import jinja2

from digest.chart import Chart
from digest.compose import Digest
from veille.archive.subscribers import Subscriber, unsubscribe_token
from veille.core.conf.digest import DEFAULT_TIMEZONE, DigestConfig
from veille.core.errors import VeilleError
from veille.core.formatting import format_date, format_number, period_label

TEMPLATES = Path(__file__).resolve().parent / "templates"
HTML_TEMPLATE = "digest.html.j2"
TEXT_TEMPLATE = "digest.txt.j2"
PREVIEW_TOKEN = "apercu"
# Long headers (List-Unsubscribe with its token) must stay plain text, not RFC 2047 words
MESSAGE_POLICY = email.policy.SMTP.clone(max_line_length=998)


def list_headers(
    msg: EmailMessage, cfg: DigestConfig, list_id: str, stop_url: str, mailto_subject: str
) -> None:
    """A mailing list's headers: its List-Id, RFC 8058 one-click List-Unsubscribe (the stop URL,
    and the mailto address when digest.toml names one) and Auto-Submitted."""
    msg["List-Id"] = list_id
    unsubscribe = [f"<{stop_url}>"]
    if cfg.unsubscribe_mailto:
        unsubscribe.append(f"<mailto:{cfg.unsubscribe_mailto}?subject={mailto_subject}>")
    msg["List-Unsubscribe"] = ", ".join(unsubscribe)
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"


class TemplateLoadError(VeilleError):
    exit_code = 2


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str


class Templates:
    """The two digest templates, compiled. Construct once at start."""

    def __init__(
        self,
        directory: str | Path | None = None,
        *,
        timezone: str = DEFAULT_TIMEZONE,
        names: tuple[str, str] = (HTML_TEMPLATE, TEXT_TEMPLATE),  # (HTML, text): the alerts' own
    ) -> None:
        self.directory = Path(directory or TEMPLATES)
        tz = ZoneInfo(timezone)
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.directory)),
            autoescape=jinja2.select_autoescape(
                enabled_extensions=("html.j2", "html"), default_for_string=False
            ),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

        def fdate(value: date | datetime | None) -> str:
            if isinstance(value, datetime):
                value = value.astimezone(tz) if value.tzinfo else value
            return format_date(value, "long")

        env.filters["fdate"] = fdate
        env.filters["number"] = lambda n: format_number(n)
        env.filters["period"] = period_label
        self.env = env
        self.html = self._compile(names[0])
        self.text = self._compile(names[1])

    def _compile(self, name: str) -> jinja2.Template:
        try:
            return self.env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateLoadError(
                f"template {exc.filename or name}, line {exc.lineno}: {exc.message}: fix the template"
            ) from None
        except jinja2.TemplateNotFound:
            raise TemplateLoadError(f"template {name} not found in {self.directory}") from None

    def render(self, context: dict[str, Any]) -> tuple[str, str]:
        """(inlined HTML, plain text)."""
        try:
            html = self.html.render(**context)
            text = self.text.render(**context)
        except jinja2.UndefinedError as exc:
            raise TemplateLoadError(f"digest template uses an unknown value: {exc.message}") from None
        inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)
        return inliner.inline(html), _tidy_text(text)


def load_templates(directory: str | Path | None = None, *, timezone: str = DEFAULT_TIMEZONE) -> Templates:
    return Templates(directory, timezone=timezone)


def _tidy_text(text: str) -> str:
    """No trailing spaces (except the "-- " signature separator), at most one blank line in a row."""
    out: list[str] = []
    for line in text.splitlines():
        line = line if line == "-- " else line.rstrip()
        if line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"


def _intro(digest: Digest) -> str:
    tot = digest.totals
    parts = [f"{format_number(tot.articles)} article{'s' if tot.articles > 1 else ''} du secteur"]
    if tot.articles_change:
        parts[0] += f" ({tot.articles_change} par rapport à la période précédente)"
    figs = f"{format_number(tot.figures)} chiffre{'s' if tot.figures > 1 else ''} relevé{'s' if tot.figures > 1 else ''}"
    if tot.figures_change:
        figs += f" ({tot.figures_change})"
    lead = "Cette semaine" if digest.period.is_week else "Sur la période"
    return f"{lead} : {parts[0]}, {figs}. Voici l'essentiel."


def _empty_message(digest: Digest) -> str:
    if digest.themes_filter or digest.orgs_filter:
        return (
            "Aucun article ne correspond à votre sélection "
            f"{'cette semaine' if digest.period.is_week else 'sur cette période'}. "
            "Nos sources ont été suivies comme d'habitude ; rendez-vous au prochain numéro."
        )
    return (
        f"Nous n'avons repéré aucun article du secteur {'cette semaine' if digest.period.is_week else 'sur cette période'}. "
        "Nos sources ont été suivies comme d'habitude ; rendez-vous au prochain numéro."
    )


def _filters_line(digest: Digest) -> str:
    bits = []
    if digest.themes_filter:
        bits.append("thèmes " + ", ".join(digest.themes_filter))
    if digest.orgs_filter:
        bits.append("organisations " + ", ".join(digest.orgs_filter))
    return f"Votre sélection : {' ; '.join(bits)}." if bits else ""


class MessageBuilder:
    """Turns a :class:`Digest` into subscriber-specific email messages."""

    def __init__(self, config: DigestConfig, templates: Templates | None = None) -> None:
        self.config = config
        self.templates = templates or load_templates(timezone=config.timezone)

    def unsubscribe_url(self, token: str) -> str:
        return f"{self.config.base_url}/unsubscribe/{token}"

    def chart_cid(self, digest: Digest) -> str:
        return f"chart.{digest.period.id}@{self.config.domain}"

    def render(
        self, digest: Digest, subscriber: Subscriber | None, *, token: str, chart: Chart | None
    ) -> Rendered:
        context = {
            "digest": digest,
            "subscriber": subscriber,
            "recipient": subscriber.email if subscriber else "votre adresse",
            "unsubscribe_url": self.unsubscribe_url(token),
            "chart": chart,
            "chart_cid": self.chart_cid(digest),
            "intro": _intro(digest),
            "empty_message": _empty_message(digest),
            "filters": _filters_line(digest),
            "config": self.config,
        }
        html, text = self.templates.render(context)
        return Rendered(subject=digest.subject, html=html, text=text)

    def message_id(self, digest: Digest, subscriber: Subscriber | None) -> str:
        """Stable per (list, period, subscriber): a resend after a crash carries the same id."""
        who = f"{subscriber.id}:{subscriber.email}" if subscriber else "preview"
        h = hashlib.sha256(f"{self.config.list_id}|{digest.period.id}|{who}".encode()).hexdigest()[:16]
        sid = subscriber.id if subscriber else 0
        return f"<veille.{digest.period.id}.{sid}.{h}@{self.config.domain}>"

    def build(
        self,
        digest: Digest,
        subscriber: Subscriber | None,
        *,
        chart: Chart | None = None,
        token: str | None = None,
        now: datetime | None = None,
    ) -> EmailMessage:
        """One message for one reader. Without ``token`` its unsubscribe link is signed with the
        config's key (``VEILLE_SECRET_KEY``, carried by the settings)."""
        if token is None:
            token = (
                unsubscribe_token(subscriber.id, subscriber.email, secret=self.config.link_key())
                if subscriber
                else PREVIEW_TOKEN
            )
        rendered = self.render(digest, subscriber, token=token, chart=chart)
        return self.assemble(rendered, digest, subscriber, chart=chart, token=token, now=now)

    def assemble(
        self,
        rendered: Rendered,
        digest: Digest,
        subscriber: Subscriber | None,
        *,
        chart: Chart | None,
        token: str,
        now: datetime | None = None,
    ) -> EmailMessage:
        cfg = self.config
        msg = EmailMessage(policy=MESSAGE_POLICY)
        msg["From"] = Address(cfg.from_name, addr_spec=cfg.from_address)
        if subscriber is not None:
            msg["To"] = Address(subscriber.name or "", addr_spec=subscriber.email)
        else:
            msg["To"] = Address("", addr_spec=f"apercu@{cfg.domain}")
        if cfg.reply_to:
            msg["Reply-To"] = cfg.reply_to
        msg["Subject"] = rendered.subject
        msg["Date"] = format_datetime(now or datetime.now(UTC))
        msg["Message-ID"] = self.message_id(digest, subscriber)
        list_headers(
            msg, cfg, f"{cfg.title} <{cfg.list_id}>", self.unsubscribe_url(token), f"unsubscribe%20{token}"
        )
        msg["X-Veille-Period"] = digest.period.id
        msg.set_content(rendered.text, subtype="plain", charset="utf-8", cte="quoted-printable")
        msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
        if chart is not None:
            html_part = list(msg.iter_parts())[1]  # multipart/alternative: text, then html
            html_part.add_related(
                chart.png, maintype="image", subtype="png", cid=f"<{self.chart_cid(digest)}>",
                filename="semaine.png", disposition="inline",
            )  # fmt: skip
        return msg
