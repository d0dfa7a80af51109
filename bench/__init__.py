"""promptlab-tui benchmarks: `python -m bench [--quick] [--json PATH] [--only NAME...]` (see docs/benchmarks.md)."""
