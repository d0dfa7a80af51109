"""footer widgets."""
