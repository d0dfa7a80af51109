"""budget widgets."""
