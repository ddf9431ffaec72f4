"""Who receives a broadcast: everyone, a delegation, a committee, a congress level, a tag or a list."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Role, User, UserStatus

from broadcasts.models import AudienceProfile

KINDS = ("all", "delegation", "committee", "level", "tag", "list")
KIND_LABELS = {"all": "全体代表", "delegation": "代表团", "committee": "专门委员会", "level": "人大层级",
               "tag": "标签", "list": "指定名单"}


class AudienceError(ValueError):
    """Bad audience spec; the message is shown to staff as is (Simplified Chinese)."""


@dataclass(frozen=True)
class AudienceSpec:
    kind: str = "all"
    value: str | None = None
    user_ids: tuple[int, ...] = field(default_factory=tuple)
    include_staff: bool = False

    def validate(self) -> None:
        if self.kind not in KINDS:
            raise AudienceError(f"未知的接收范围“{self.kind}”，可选：{'、'.join(KIND_LABELS.values())}")
        if self.kind in ("delegation", "committee", "level", "tag") and not (self.value or "").strip():
            raise AudienceError(f"请指定{KIND_LABELS[self.kind]}名称")
        if self.kind == "list" and not self.user_ids:
            raise AudienceError("指定名单为空，请至少选择一位接收人")

    def describe(self) -> str:
        if self.kind == "all":
            return KIND_LABELS["all"]
        if self.kind == "list":  # the preview adds the count of active recipients itself
            shown = "、".join(map(str, self.user_ids[:8]))
            more = f" 等 {len(self.user_ids)} 个编号" if len(self.user_ids) > 8 else ""
            return f"指定名单：用户 {shown}{more}"
        return f"{KIND_LABELS[self.kind]}：{self.value}"

    def to_json(self) -> dict:
        d = asdict(self)
        d["user_ids"] = list(self.user_ids)
        return d

    @classmethod
    def from_json(cls, d: dict) -> "AudienceSpec":
        return cls(kind=d.get("kind", "all"), value=d.get("value"), user_ids=tuple(d.get("user_ids") or ()),
                   include_staff=bool(d.get("include_staff", False)))

    def scope(self, broadcast_id: int | None = None) -> str:
        """The knowledge-base scope a document sent to this audience gets: everyone's, the delegation's
        or committee's, else (levels, tags, lists) the broadcast's own: only its recipients and staff
        may read it (``received_scopes``)."""
        if self.kind in ("delegation", "committee"):
            return f"{self.kind}:{self.value}"
        if self.kind == "all":
            return "all"
        return broadcast_scope(broadcast_id) if broadcast_id is not None else BROADCAST_SCOPE

    @classmethod
    def from_scope(cls, scope: str) -> "AudienceSpec":
        """Map a storage scope string ("all", "delegation:X", "committee:X") to an audience."""
        if scope and ":" in scope:
            kind, value = scope.split(":", 1)
            if kind in ("delegation", "committee"):
                return cls(kind=kind, value=value)
        return cls()


BROADCAST_SCOPE = "broadcast"  # "broadcast:<id>": an attachment readable by that broadcast's recipients


def broadcast_scope(broadcast_id: int) -> str:
    return f"{BROADCAST_SCOPE}:{broadcast_id}"


@dataclass(frozen=True)
class Recipient:
    user_id: int
    chat_id: int
    name: str
    delegation: str | None


async def resolve(s: AsyncSession, spec: AudienceSpec, *, user_id: int | None = None) -> list[Recipient]:
    """Active users matching ``spec``, ordered by id (``user_id``: only that user, if they match).
    Committees and tags are JSON lists, filtered in Python so SQLite and PostgreSQL agree (audiences are
    at most ~100k rows)."""
    spec.validate()
    q = select(User, AudienceProfile).outerjoin(AudienceProfile, AudienceProfile.user_id == User.id)
    q = q.where(User.status == UserStatus.ACTIVE.value).order_by(User.id)
    if user_id is not None:
        q = q.where(User.id == user_id)
    if not spec.include_staff and spec.kind != "list":
        q = q.where(User.role == Role.DEPUTY.value)
    if spec.kind == "delegation":
        q = q.where(User.delegation == spec.value)
    elif spec.kind == "level":
        q = q.where(AudienceProfile.congress_level == spec.value)
    elif spec.kind == "list":
        q = q.where(User.id.in_(list(spec.user_ids)))
    out: list[Recipient] = []
    for user, profile in (await s.execute(q)).all():
        if spec.kind == "committee" and spec.value not in (user.committees or []):
            continue
        if spec.kind == "tag" and (profile is None or spec.value not in (profile.tags or [])):
            continue
        out.append(Recipient(user.id, user.telegram_id, user.name, user.delegation))
    return out


async def includes(s: AsyncSession, spec: AudienceSpec, user_id: int) -> bool:
    """Is this user (active) in the audience? One user's row, not the whole audience."""
    return bool(await resolve(s, spec, user_id=user_id))


async def known_groups(s: AsyncSession) -> tuple[list[str], list[str]]:
    """Delegations and committees active deputies belong to, most members first."""
    rows = (await s.execute(select(User.delegation, User.committees)
                            .where(User.status == UserStatus.ACTIVE.value, User.role == Role.DEPUTY.value))).all()
    delegations = Counter(d for d, _ in rows if d)
    committees = Counter(c for _, cs in rows for c in (cs or []) if c)
    return [d for d, _ in delegations.most_common()], [c for c, _ in committees.most_common()]


async def choices(s: AsyncSession, limit: int = 8) -> list[AudienceSpec]:
    """Audiences worth offering as buttons: everyone, then the delegations and committees that active
    deputies belong to (most members first)."""
    delegations, committees = await known_groups(s)
    out = [AudienceSpec()]
    out += [AudienceSpec("delegation", d) for d in delegations[:limit]]
    out += [AudienceSpec("committee", c) for c in committees[:limit // 2]]
    return out


async def nobody_error(s: AsyncSession, spec: AudienceSpec) -> AudienceError:
    """The refusal for an audience that matches nobody, naming the groups that do exist (a typo in a
    committee's name is the usual cause)."""
    delegations, committees = await known_groups(s)
    lines = [f"“{spec.describe()}”目前没有可接收通知的代表，请换一个范围。"]
    if spec.kind in ("all", "delegation", "list") and delegations:
        lines.append("现有代表团：" + "、".join(delegations[:30]))
    if spec.kind in ("all", "committee", "list") and committees:
        lines.append("现有委员会：" + "、".join(committees[:30]))
    return AudienceError("\n".join(lines))


async def received_scopes(s: AsyncSession, user_id: int, staff: bool = False) -> set[str]:
    """``broadcast:<id>`` scopes of the briefings with an attachment this user received (staff: all
    of them), so an attachment sent to a level, tag or list is readable by its recipients only."""
    from broadcasts.models import Broadcast, OutboxMessage
    from broadcasts.service import FILE_REF

    q = select(Broadcast.id).where(Broadcast.document_ref.like(f"{FILE_REF}%"))
    if not staff:
        q = q.where(Broadcast.id.in_(select(OutboxMessage.broadcast_id).where(OutboxMessage.user_id == user_id)))
    return {broadcast_scope(bid) for bid in (await s.execute(q)).scalars()}


async def count(s: AsyncSession, spec: AudienceSpec) -> int:
    return len(await resolve(s, spec))


async def set_profile(s: AsyncSession, user_id: int, *, congress_level: str | None = None,
                      tags: list[str] | None = None) -> None:
    row = await s.get(AudienceProfile, user_id)
    if row is None:
        row = AudienceProfile(user_id=user_id, congress_level=congress_level, tags=list(tags or []))
        s.add(row)
    else:
        if congress_level is not None:
            row.congress_level = congress_level
        if tags is not None:
            row.tags = list(tags)
    await s.flush()
