"""Exit codes that scripts rely on, and the error that carries them."""

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_BUDGET_REFUSED = 3
EXIT_PROVIDER_ERROR = 4
EXIT_INTERRUPTED = 130


class CliError(Exception):
    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.exit_code = exit_code
