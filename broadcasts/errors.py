"""Send outcomes the worker understands. The Telegram adapter maps telegram.error onto these,
so the delivery core never imports Telegram types."""

from __future__ import annotations


class SendError(Exception):
    pass


class RetryAfter(SendError):
    """HTTP 429: the whole bot must pause for ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = float(seconds)


class TransientError(SendError):
    """Network error, timeout or 5xx: retried with exponential backoff."""


class BlockedError(SendError):
    """Forbidden (bot blocked, user deactivated) or chat not found: never retried."""


class PermanentError(SendError):
    """Any other 4xx (e.g. message too long): retrying cannot help; marked failed at once."""
