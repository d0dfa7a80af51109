"""preview widgets."""
