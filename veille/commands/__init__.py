"""CLI command modules. Each defines ``register(app: typer.Typer)``; see :mod:`veille.cli`."""
