"""The one error of the backup tools: what went wrong, and what the operator can do about it."""

from __future__ import annotations


class BackupError(Exception):
    """A backup or restore that cannot go on. Nothing was changed when it is raised before the
    restore starts writing (every check comes first)."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message
