"""alerts widgets."""
