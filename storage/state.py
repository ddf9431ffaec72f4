"""Per-user conversation state in the database (never pickles): survives restarts."""

from __future__ import annotations

from storage.db import Database
from storage.repositories import StateRepo
from storage.views import UserView

UPLOAD_SCOPE = "upload_scope"


class StateService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user: UserView, key: str) -> dict | None:
        async with self.db.session() as s:
            return await StateRepo(s).get(user.id, key)

    async def put(self, user: UserView, key: str, value: dict) -> None:
        async with self.db.session() as s, s.begin():
            await StateRepo(s).put(user.id, key, value)

    async def drop(self, user: UserView, key: str) -> None:
        async with self.db.session() as s, s.begin():
            await StateRepo(s).drop(user.id, key)
