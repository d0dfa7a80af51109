"""Client side of the team server: login file, outbox, background sync, team reservations (no Textual, lazy httpx)."""
