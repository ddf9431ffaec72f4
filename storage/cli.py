"""``deputy-assistant users …`` and ``deputy-assistant db …`` (typer sub-apps)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, timedelta
from typing import Annotated, NoReturn, Optional, TypeVar

import typer

from storage.access import AccessService, UnknownUserError
from storage.clock import BEIJING
from storage.db import Database, upgrade_sync
from storage.models import Role

users_app = typer.Typer(help="用户与邀请码管理", no_args_is_help=True)
db_app = typer.Typer(help="数据库", no_args_is_help=True)
app = typer.Typer(help="存储", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(db_app, name="db")

T = TypeVar("T")


def _url() -> str:
    from deputy_assistant.config import get_settings

    return get_settings().resolved_database_url


def _with_access(fn: Callable[[AccessService], Awaitable[T]]) -> T:
    async def go() -> T:
        db = Database(_url())
        try:
            await db.upgrade()  # a fresh install works without a separate `db upgrade`
            return await fn(AccessService(db))
        finally:
            await db.dispose()

    return asyncio.run(go())


def _refuse(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(2)


# What staff read and may type; the English values (stored in the database, printed by `users list`) work too.
ROLE_NAMES = {Role.DEPUTY: "代表", Role.STAFF: "工作人员", Role.ADMIN: "管理员"}
_ROLE_ALIASES = {name: role for role, name in ROLE_NAMES.items()}


def _role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        pass
    if value.strip() in _ROLE_ALIASES:
        return _ROLE_ALIASES[value.strip()]
    _refuse(f"角色“{value}”无效：须为 代表、工作人员 或 管理员（也可写 deputy、staff、admin）")


MAX_TTL_HOURS = 24 * 365  # an invitation is for someone expected soon; a longer one is a standing key
_MAX_ID = 2**31 - 1  # user ids are INTEGER columns (PostgreSQL int4)


def _user_id(value: int) -> int:
    if not 1 <= value <= _MAX_ID:
        typer.echo(f"没有编号为 {value} 的用户", err=True)
        raise typer.Exit(1)
    return value


@users_app.command("invite")
def invite(
    name: Annotated[str, typer.Option("--name", help="姓名")],
    role: Annotated[str, typer.Option("--role", help="代表 / 工作人员 / 管理员（或 deputy / staff / admin）")] = "deputy",
    delegation: Annotated[Optional[str], typer.Option("--delegation", help="代表团，如 宁夏代表团")] = None,
    committee: Annotated[Optional[list[str]], typer.Option("--committee", help="专门委员会，可重复")] = None,
    ttl_hours: Annotated[int, typer.Option("--ttl-hours", help=f"有效期（小时，1–{MAX_TTL_HOURS}）")] = 72,
) -> None:
    """生成一次性邀请码（只显示这一次）。"""
    r = _role(role)
    name = name.strip()
    if not name:
        _refuse("姓名不能为空：--name 张三")
    if not 1 <= ttl_hours <= MAX_TTL_HOURS:
        _refuse(f"有效期须在 1 到 {MAX_TTL_HOURS} 小时之间")
    code, inv = _with_access(
        lambda a: a.create_invitation(name=name, role=r, delegation=delegation, committees=committee or [],
                                      ttl=timedelta(hours=ttl_hours))
    )
    typer.echo(code)
    expires = inv.expires_at.replace(tzinfo=UTC) if inv.expires_at.tzinfo is None else inv.expires_at  # stored naive UTC
    typer.echo(f"姓名：{inv.name}  身份：{ROLE_NAMES[r]}  有效期至（北京时间）：{expires.astimezone(BEIJING):%Y-%m-%d %H:%M}",
               err=True)
    typer.echo(f"请让对方向机器人发送：/start {code}", err=True)


@users_app.command("list")
def list_users() -> None:
    """列出用户。"""
    users = _with_access(lambda a: a.list_users())
    if not users:
        typer.echo("（无用户）")
    for u in users:
        typer.echo(
            f"{u.id}\t{u.name}\t{u.role.value}\t{u.status.value}\t{u.delegation or '-'}\t"
            f"{','.join(u.committees) or '-'}\t{u.telegram_id}"
        )


def _change(fn: Callable[[AccessService], Awaitable[T]]) -> T:
    try:
        return _with_access(fn)
    except UnknownUserError as exc:
        typer.echo(f"没有编号为 {exc.args[0]} 的用户", err=True)
        raise typer.Exit(1) from None


@users_app.command("suspend")
def suspend(user_id: Annotated[int, typer.Argument(help="用户编号（见 users list）")]) -> None:
    """停用用户，立即生效。"""
    user_id = _user_id(user_id)
    u = _change(lambda a: a.suspend(user_id))
    typer.echo(f"已停用：{u.id} {u.name}")


@users_app.command("reactivate")
def reactivate(user_id: Annotated[int, typer.Argument(help="用户编号")]) -> None:
    """恢复已停用的用户。"""
    user_id = _user_id(user_id)
    u = _change(lambda a: a.reactivate(user_id))
    typer.echo(f"已恢复：{u.id} {u.name}")


@users_app.command("set-role")
def set_role(
    user_id: Annotated[int, typer.Argument(help="用户编号")],
    role: Annotated[str, typer.Argument(help="代表 / 工作人员 / 管理员（或 deputy / staff / admin）")],
) -> None:
    """修改用户身份。"""
    r = _role(role)
    user_id = _user_id(user_id)
    u = _change(lambda a: a.set_role(user_id, r))
    typer.echo(f"{u.id} {u.name} → {ROLE_NAMES[u.role]}")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="目标版本")] = "head") -> None:
    """执行数据库迁移（Alembic）。"""
    from alembic.util import CommandError

    try:
        upgrade_sync(_url(), revision)
    except CommandError:
        _refuse(f"无法迁移到数据库版本“{revision}”（版本不存在或迁移历史不一致）；省略参数即迁移到最新版本（head）")
    typer.echo(f"数据库已迁移到 {revision}")


if __name__ == "__main__":
    app()
