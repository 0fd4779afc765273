"""What a failed request means for a crawl: blocked by the SSRF guard (counted there), a page
to drop with its reason, a page whose feed summary may stand in for it, or an error of the
source's run."""

from __future__ import annotations

from twisted.python.failure import Failure

from spiders.safety import BlockedRequest

FALLBACK_STATUSES = {401, 402, 403, 429, 451} | set(range(500, 600))


def classify_failure(failure: Failure) -> tuple[str, str]:
    """(kind, detail): kind is blocked, drop (detail = reason), fallback or error."""
    from scrapy.exceptions import IgnoreRequest
    from scrapy.spidermiddlewares.httperror import HttpError

    exc = failure.value
    name = type(exc).__name__
    if isinstance(exc, BlockedRequest):
        return "blocked", exc.reason
    if isinstance(exc, HttpError):
        status = exc.response.status
        if status in FALLBACK_STATUSES:
            return "fallback", f"HTTP {status}"
        if status in (404, 410):
            return "drop", f"http_{status}"
        return "error", f"HTTP {status}"
    if isinstance(exc, IgnoreRequest):
        message = str(exc)
        if "robots.txt" in message:
            return "drop", "robots"
        if "redirect" in message:
            return "error", "too many redirects (redirect loop?)"
        return "drop", "ignored"
    if "Cancel" in name or "maxsize" in str(exc).lower() or "max size" in str(exc).lower():
        return "drop", "too_big"
    if "Timeout" in name or "TimedOut" in name:
        return "fallback", "timeout"
    if name in ("ConnectionRefusedError", "ConnectError", "DNSLookupError", "CannotResolveHostError",
                "ConnectionLost", "ResponseNeverReceived", "ResponseFailed", "DownloadFailedError",
                "DownloadConnectionRefusedError", "ResponseDataLossError", "TCPTimedOutError"):  # fmt: skip
        return "fallback", f"{name}: {exc}".strip()[:200]
    return "error", f"{name}: {exc}".strip()[:200]
