"""The headless CLI: one module per command, each with `register(subparsers)`."""
