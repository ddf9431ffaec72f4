"""What the bot waits for from a user next (an opinion on a consultation article, the reason for a 不满意).

Kept in chat_state, so that a restart between the button and the answer loses nothing (the bot tester's
opinion typed after a redeploy had been searched as a question), and cached in PTB's ``user_data`` so that the
handlers that look at every message read the database once per user and process, not once per message.
"""

from __future__ import annotations

from typing import Any

from storage.state import StateService
from storage.views import UserView


class Awaited:
    """One kind of awaited answer; its value is JSON (a list comes back as a tuple)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def known_empty(self, user_data: dict | None) -> bool:
        """True when this process already knows nothing is awaited (no database read needed)."""
        return user_data is not None and self.key in user_data and user_data[self.key] is None

    async def get(self, state: StateService, user: UserView, user_data: dict) -> Any:
        if self.key not in user_data:  # first look in this process: what an earlier one left
            row = await state.get(user, self.key)
            value = None if row is None else row.get("value")
            user_data[self.key] = tuple(value) if isinstance(value, list) else value
        return user_data[self.key]

    async def set(self, state: StateService, user: UserView, user_data: dict, value: Any) -> None:
        await state.put(user, self.key, {"value": list(value) if isinstance(value, tuple) else value})
        user_data[self.key] = value

    async def clear(self, state: StateService, user: UserView, user_data: dict) -> None:
        if not self.known_empty(user_data):
            await state.drop(user, self.key)
        user_data[self.key] = None
