"""promptlab-tui: compose prompts, cost them before and after each run, keep spend inside budgets."""

__version__ = "0.1.0"
