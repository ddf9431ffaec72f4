"""Persistence and the core rules of the bot: users, invitations, roles, ratings, events, rate limits.

Nothing here knows about Telegram; ``bot/`` translates updates into calls on these services.
"""

from storage.db import Database

__all__ = ["Database"]
