"""The archive: the only code that speaks SQL (schema, migrations, engine, the store and its
repositories, full text, search). It imports the ground only. See ``docs/architecture.md``.
"""
