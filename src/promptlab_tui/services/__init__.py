"""Use cases that tie the core, the providers and the store together (the run pipeline)."""
