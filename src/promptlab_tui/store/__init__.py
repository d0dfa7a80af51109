"""Local history in SQLite through SQLModel: tables live here, the rest of the app uses the repository."""
