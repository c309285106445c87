"""Errors and warnings raised by the pure core."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input: the message names the parameter, row or column, the rule, and the value.

    ``errors`` holds every individual problem when several were found at once (e.g. all the bad
    cells of a data file), so that a caller can list them all; ``str(exc)`` joins them.
    """

    def __init__(self, message: str | None = None, errors: list[str] | None = None) -> None:
        self.errors: list[str] = list(errors) if errors else ([message] if message else [])
        text = message if message is not None else "\n".join(self.errors)
        if message is not None and errors:
            text = message + "\n" + "\n".join(f"  - {e}" for e in self.errors)
        super().__init__(text)


class DegenerateDataWarning(RuntimeWarning):
    """Legal but degenerate data: a documented NaN (or fallback) is returned instead of a number."""
