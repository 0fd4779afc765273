"""``python -m veille`` is the same as the ``veille`` command."""

from veille.cli import run

run()
