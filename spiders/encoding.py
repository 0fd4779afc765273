"""Page bytes -> text, as a browser decodes them, with repairs for wrong charsets.

Bytes are decoded with the header, BOM and ``<meta>`` charset (w3lib), then checked:
invalid UTF-8 falls back to cp1252, and UTF-8 read as Latin-1 ("Ã©") is repaired.
"""

from __future__ import annotations

import re

_MOJIBAKE = re.compile("Ã[\u0080-\u00bf]|â€[\u0080-\u00bf™œ\u009d“”˜¦]|Â[\u00a0-\u00bf]")


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Bytes -> (text, encoding), as a browser would, with two repairs for wrong charsets."""
    from w3lib.encoding import html_to_unicode

    encoding, text = html_to_unicode(content_type, body)
    if "\ufffd" in text:
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            if encoding.replace("-", "").lower() in ("utf8", "utf_8", "utf8sig", "ascii"):
                return body.decode("cp1252", errors="replace"), "cp1252"
    return repair_mojibake(text, body, encoding)


def repair_mojibake(text: str, body: bytes | None = None, encoding: str = "") -> tuple[str, str]:
    """UTF-8 bytes read as Latin-1/cp1252 ("rÃ©gion") -> the right text, when that is sure."""
    if len(_MOJIBAKE.findall(text)) < 2:
        return text, encoding
    if body is not None:
        try:
            fixed = body.decode("utf-8")
            if len(_MOJIBAKE.findall(fixed)) < len(_MOJIBAKE.findall(text)):
                return fixed, "utf-8"
        except UnicodeDecodeError:
            pass
    for codec in ("cp1252", "latin-1"):
        try:
            fixed = text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        return fixed, "utf-8"
    return text, encoding
