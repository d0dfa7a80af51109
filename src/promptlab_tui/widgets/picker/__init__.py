"""picker widgets."""
