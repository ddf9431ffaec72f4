"""Who may use the assistant: invitations, registration, roles, suspension and search scopes."""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from storage.clock import utcnow
from storage.db import Database
from storage.models import Invitation, Role, User, UserStatus
from storage.repositories import InvitationRepo, UserRepo
from storage.views import UserView

# No 0/O, 1/I/L: codes are typed by hand from a printed note or a chat message.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
DEFAULT_INVITE_TTL = timedelta(hours=72)


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.strip().upper() if ch.isalnum())


def code_shaped(code: str) -> bool:
    """Could ``code`` (normalised) be an invitation code: the right length, only the code alphabet?"""
    return len(code) == CODE_LENGTH and set(code) <= set(_CODE_ALPHABET)


def hash_code(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


class RedeemStatus(enum.Enum):
    OK = "ok"
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"
    ALREADY_REGISTERED = "already_registered"


@dataclass(frozen=True)
class RedeemResult:
    status: RedeemStatus
    user: UserView | None = None


class AccessStatus(enum.Enum):
    OK = "ok"
    UNREGISTERED = "unregistered"
    SUSPENDED = "suspended"
    FORBIDDEN = "forbidden"


@dataclass(frozen=True)
class AccessResult:
    status: AccessStatus
    user: UserView | None = None

    @property
    def ok(self) -> bool:
        return self.status is AccessStatus.OK


class UnknownUserError(LookupError):
    pass


class UnknownInvitationError(LookupError):
    """No unused, unexpired invitation with that number."""


class AccountChangeRefused(PermissionError):
    """A staff member may not change this account (their own, or an administrator's); the message is for them."""


def scopes_for(user: UserView) -> frozenset[str] | None:
    """Document scopes a user may see; ``None`` means everything (admins)."""
    if user.role is Role.ADMIN:
        return None
    scopes = {"all"}
    if user.delegation:
        scopes.add(f"delegation:{user.delegation}")
    scopes.update(f"committee:{c}" for c in user.committees)
    if user.role is Role.STAFF:
        scopes.add("staff")
    return frozenset(scopes)


class AccessService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create_invitation(
        self,
        *,
        name: str,
        role: Role = Role.DEPUTY,
        delegation: str | None = None,
        committees: list[str] | tuple[str, ...] = (),
        ttl: timedelta = DEFAULT_INVITE_TTL,
        created_by: str = "cli",
    ) -> tuple[str, Invitation]:
        """Returns the plain one-time code (shown once, never stored) and the invitation row."""
        if not name.strip():
            raise ValueError("name must not be empty")
        code = new_code()
        async with self.db.session() as s, s.begin():
            inv = await InvitationRepo(s).add(
                Invitation(
                    code_hash=hash_code(code),
                    name=name.strip(),
                    role=Role(role).value,
                    delegation=delegation or None,
                    committees=list(committees),
                    expires_at=utcnow() + ttl,
                    created_by=created_by,
                )
            )
        return code, inv

    async def open_invitations(self) -> list[Invitation]:
        """Codes not yet used and not expired, newest first (a code given to the wrong person can be withdrawn)."""
        async with self.db.session() as s:
            return await InvitationRepo(s).open(utcnow())

    async def revoke_invitation(self, invitation_id: int, by: UserView | None = None) -> Invitation:
        """Withdraw an unused code (its expiry set to now, so /start answers as for an expired one). Through the bot
        only an admin withdraws an admin's invitation, as only an admin may make one."""
        async with self.db.session() as s, s.begin():
            invs = InvitationRepo(s)
            inv = await invs.by_id(invitation_id)
            if inv is None or inv.used_at is not None or inv.expires_at <= utcnow():
                raise UnknownInvitationError(invitation_id)
            if by is not None and inv.role == Role.ADMIN.value and by.role is not Role.ADMIN:
                raise AccountChangeRefused("只有管理员可以作废管理员的邀请码。")
            if not await invs.withdraw(inv.id, utcnow()):  # redeemed in between: nothing to withdraw
                raise UnknownInvitationError(invitation_id)
            return inv

    async def redeem(self, code: str, telegram_id: int) -> RedeemResult:
        now = utcnow()
        async with self.db.session() as s, s.begin():
            users = UserRepo(s)
            existing = await users.by_telegram_id(telegram_id)
            if existing is not None:
                return RedeemResult(RedeemStatus.ALREADY_REGISTERED, UserView.of(existing))
            invs = InvitationRepo(s)
            inv = await invs.by_hash(hash_code(code)) if normalize_code(code) else None
            if inv is None:
                return RedeemResult(RedeemStatus.INVALID)
            if inv.used_at is not None:
                return RedeemResult(RedeemStatus.USED)
            if inv.expires_at <= now:
                return RedeemResult(RedeemStatus.EXPIRED)
            if not await invs.claim(inv.id, telegram_id, now):
                return RedeemResult(RedeemStatus.USED)
            user = await users.add(
                User(
                    telegram_id=telegram_id,
                    name=inv.name,
                    role=inv.role,
                    status=UserStatus.ACTIVE.value,
                    delegation=inv.delegation,
                    committees=list(inv.committees or []),
                    invitation_id=inv.id,
                )
            )
            return RedeemResult(RedeemStatus.OK, UserView.of(user))

    async def check(self, telegram_id: int, *, staff_only: bool = False) -> AccessResult:
        """Read fresh from the database on every update: a suspension takes effect at once."""
        async with self.db.session() as s:
            u = await UserRepo(s).by_telegram_id(telegram_id)
            if u is None:
                return AccessResult(AccessStatus.UNREGISTERED)
            view = UserView.of(u)
        if not view.active:
            return AccessResult(AccessStatus.SUSPENDED, view)
        if staff_only and not view.is_staff:
            return AccessResult(AccessStatus.FORBIDDEN, view)
        return AccessResult(AccessStatus.OK, view)

    async def list_users(self) -> list[UserView]:
        async with self.db.session() as s:
            return [UserView.of(u) for u in await UserRepo(s).all()]

    async def _update(self, user_id: int, by: UserView | None = None, **values: object) -> UserView:
        """``by``: the staff member asking through the bot (None: the operator's console, which may do anything)."""
        async with self.db.session() as s, s.begin():
            u = await UserRepo(s).by_id(user_id)
            if u is None:
                raise UnknownUserError(user_id)
            if by is not None:
                _check_change(by, UserView.of(u), values)
            for k, v in values.items():
                setattr(u, k, v)
            await s.flush()
            return UserView.of(u)

    async def suspend(self, user_id: int, by: UserView | None = None) -> UserView:
        return await self._update(user_id, by, status=UserStatus.SUSPENDED.value)

    async def reactivate(self, user_id: int, by: UserView | None = None) -> UserView:
        return await self._update(user_id, by, status=UserStatus.ACTIVE.value)

    async def set_role(self, user_id: int, role: Role, by: UserView | None = None) -> UserView:
        return await self._update(user_id, by, role=Role(role).value)


def _check_change(by: UserView, target: UserView, values: dict[str, object]) -> None:
    """A staff member cannot lock themselves out (the round-12 tester suspended himself and could not undo it),
    and only an administrator grants, removes or suspends administrators."""
    if target.id == by.id:
        raise AccountChangeRefused("不能停用或修改自己的账号；如确需调整，请联系其他管理员。")
    if by.role is not Role.ADMIN and (target.role is Role.ADMIN or values.get("role") == Role.ADMIN.value):
        raise AccountChangeRefused("只有管理员可以授予、取消或停用管理员账号。")
