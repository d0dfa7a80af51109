"""The optional team server (FastAPI + SQLAlchemy Core, SQLite or PostgreSQL). Needs the `[server]` extra.

Nothing in the app imports this package; `promptlab server …` and `promptlab team …` load it on demand.
"""
