"""results widgets."""
