"""User-facing errors: one clear line that says what went wrong and what to do."""


class TinydevError(Exception):
    """An error the user can act on; the CLI prints it as one line, without a traceback."""

    def __init__(self, message, hint=None):
        super().__init__(message)
        self.hint = hint

    def __str__(self):
        text = super().__str__()
        return f"{text} ({self.hint})" if self.hint else text
