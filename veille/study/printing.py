"""A study's PDF: its HTML page printed by headless Chromium (``--print-to-pdf``), the Debian
package ``chromium`` the browser tests already use, so no other system library. Chromium runs in
a profile folder of its own (several prints may run at once) and is given a time limit."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from veille.core.errors import VeilleError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
TIMEOUT = 120.0


class PrintError(VeilleError):
    """The PDF could not be printed (no Chromium, or it failed)."""

    exit_code = 1


def chromium() -> str:
    """The Chromium to print with: ``VEILLE_CHROMIUM`` if set, else the first on the PATH."""
    named = os.environ.get("VEILLE_CHROMIUM")
    if named:
        return named
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise PrintError("pas de Chromium pour imprimer le PDF : installez le paquet Debian chromium "
                     "(apt-get install chromium) ou nommez-le par VEILLE_CHROMIUM")  # fmt: skip


def print_pdf(html: Path, pdf: Path, timeout: float = TIMEOUT) -> Path:
    """``html`` printed to ``pdf`` (A4, as the page's print CSS says; no header nor footer)."""
    with tempfile.TemporaryDirectory(prefix="veille-chromium-") as profile:
        command = [
            chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions",
            "--no-first-run", f"--user-data-dir={profile}", "--no-pdf-header-footer",
            f"--print-to-pdf={pdf.resolve()}", html.resolve().as_uri(),
        ]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PrintError(f"Chromium n'a pas imprimé le PDF en {timeout:.0f} s") from None
        except OSError as exc:
            raise PrintError(f"Chromium ne démarre pas ({command[0]}) : {exc.strerror}") from None
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        last = (done.stderr.decode(errors="replace").strip().splitlines() or [""])[-1]
        raise PrintError(f"Chromium n'a pas imprimé le PDF (code {done.returncode}) : {last[:200]}")
    return pdf
