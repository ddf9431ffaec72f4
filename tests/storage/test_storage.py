"""The core's rules against a real database (SQLite or PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import inspect, text

from storage.access import AccessService, AccessStatus, RedeemStatus, hash_code, scopes_for
from storage.models import Role
from storage.ratelimit import RateLimiter
from storage.schedule import ScheduleService, named_first, parse_day, schedule_months_in
from storage.state import StateService
from storage.uploads import parse_scope, upload_problem

TABLES = {"users", "invitations", "queries", "ratings", "events", "rate_events", "chat_state", "alembic_version"}


async def _tables(db) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_migrations_upgrade_downgrade_upgrade(db):
    assert TABLES <= await _tables(db)
    await db.downgrade("base")
    assert await _tables(db) <= {"alembic_version"}
    await db.upgrade()
    assert TABLES <= await _tables(db)
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("select version_num from alembic_version"))).scalar_one() == "0004"


async def test_invitation_code_is_hashed_and_single_use(db):
    access = AccessService(db)
    code, inv = await access.create_invitation(name="张三", role=Role.DEPUTY, committees=["财经委"])
    assert inv.code_hash == hash_code(code) and code not in inv.code_hash
    results = await asyncio.gather(*(access.redeem(code, 1000 + i) for i in range(5)))
    statuses = sorted(r.status.value for r in results)
    assert statuses.count("ok") == 1 and statuses.count("used") == 4
    (user,) = await access.list_users()
    assert user.committees == ("财经委",)


async def test_access_check_roles_and_suspension(db):
    access = AccessService(db)
    code, _ = await access.create_invitation(name="李四", role=Role.DEPUTY)
    assert (await access.redeem(code, 7)).status is RedeemStatus.OK
    assert (await access.check(7)).ok
    assert (await access.check(7, staff_only=True)).status is AccessStatus.FORBIDDEN
    assert (await access.check(8)).status is AccessStatus.UNREGISTERED
    uid = (await access.check(7)).user.id
    await access.set_role(uid, Role.STAFF)
    assert (await access.check(7, staff_only=True)).ok
    await access.suspend(uid)
    assert (await access.check(7)).status is AccessStatus.SUSPENDED
    await access.reactivate(uid)
    assert (await access.check(7)).ok


async def test_expired_invitation(db):
    access = AccessService(db)
    code, _ = await access.create_invitation(name="王五", ttl=timedelta(seconds=-5))
    assert (await access.redeem(code, 9)).status is RedeemStatus.EXPIRED
    assert (await access.redeem("", 9)).status is RedeemStatus.INVALID


async def test_scopes_for_roles(db):
    access = AccessService(db)
    code, _ = await access.create_invitation(name="甲", delegation="宁夏代表团", committees=["教科文卫委"])
    u = (await access.redeem(code, 11)).user
    assert scopes_for(u) == {"all", "delegation:宁夏代表团", "committee:教科文卫委"}
    staff = await access.set_role(u.id, Role.STAFF)
    assert "staff" in scopes_for(staff)
    admin = await access.set_role(u.id, Role.ADMIN)
    assert scopes_for(admin) is None


async def test_rate_limiter_window(db):
    access = AccessService(db)
    code, _ = await access.create_invitation(name="乙")
    u = (await access.redeem(code, 12)).user
    clock = [datetime(2026, 8, 10, 9, 0, 0)]
    limiter = RateLimiter(db, limit=3, window_s=60, now=lambda: clock[0])
    assert [(await limiter.hit(u.id)).allowed for _ in range(4)] == [True, True, True, False]
    clock[0] += timedelta(seconds=59)
    assert not (await limiter.hit(u.id)).allowed
    clock[0] += timedelta(seconds=2)  # the first three left the window
    assert (await limiter.hit(u.id)).allowed


async def test_a_held_item_is_taken_once_and_only_behind_its_token(db):
    """StateRepo.hold / take: what a button decides (a preview, an opinion awaiting 确认) goes to one tap."""
    from storage.repositories import StateRepo

    access = AccessService(db)
    code, _ = await access.create_invitation(name="己")
    u = (await access.redeem(code, 16)).user
    async with db.session() as s, s.begin():
        old = await StateRepo(s).hold(u.id, "held", {"text": "旧"})
        token = await StateRepo(s).hold(u.id, "held", {"text": "新"})  # replaces the older one
    async with db.session() as s, s.begin():
        assert await StateRepo(s).take(u.id, "held", old) is None  # an older message's button finds nothing
        assert (await StateRepo(s).take(u.id, "held", token))["text"] == "新"
    async with db.session() as s, s.begin():
        assert await StateRepo(s).take(u.id, "held", token) is None  # the second tap
        again = await StateRepo(s).hold(u.id, "held", {"text": "再"})
        await StateRepo(s).drop(u.id, "held", "0000")  # another token: kept
        assert (await StateRepo(s).get(u.id, "held"))["token"] == again
        await StateRepo(s).drop(u.id, "held", again)
        assert await StateRepo(s).get(u.id, "held") is None


async def test_state_survives_a_new_database_object(db):
    from storage.db import Database

    access = AccessService(db)
    code, _ = await access.create_invitation(name="丙")
    u = (await access.redeem(code, 13)).user
    await StateService(db).put(u, "upload_scope", {"scope": "staff"})
    await StateService(db).put(u, "upload_scope", {"scope": "all"})
    # a "restart": a fresh engine on the same database sees the same state
    if db.url.startswith("sqlite"):
        again = Database(db.url)
        assert await StateService(again).get(u, "upload_scope") == {"scope": "all"}
        await again.dispose()
    await StateService(db).drop(u, "upload_scope")
    assert await StateService(db).get(u, "upload_scope") is None


class _C:
    def __init__(self, title, locator, text, scope="all"):
        self.title, self.locator, self.text, self.scope = title, locator, text, scope


async def test_schedule_plan_merges_table_and_events(db):
    access = AccessService(db)
    code, _ = await access.create_invitation(name="丁", delegation="宁夏代表团")
    u = (await access.redeem(code, 14)).user
    chunks = [_C("2026年度代表工作安排表", "12月", "十二月事项"), _C("2026年度代表工作安排表", "1月", "一月事项"),
              _C("代表法", "第十二条", "无关"), _C("2026年度代表工作安排表", "全年", "全年事项")]
    svc = ScheduleService(db, chunks=lambda: chunks, today=lambda: date(2026, 12, 3))
    await svc.add_event(u, date(2027, 1, 9), "代表团活动", scope="delegation:宁夏代表团")
    await svc.add_event(u, date(2027, 1, 10), "别团活动", scope="delegation:甘肃代表团")
    plans = await svc.plan(u)
    assert [(p.year, p.month) for p in plans] == [(2026, 12), (2027, 1)]
    assert [r.text for r in plans[0].rows] == ["十二月事项"]
    assert [e.title for e in plans[1].events] == ["代表团活动"]
    # the 全年 row is no month's, and belongs to its document's year only
    assert [r.text for r in svc.year_round(u, {2026, 2027})] == ["全年事项"]
    assert svc.year_round(u, {2027}) == []


async def test_a_month_lists_every_documents_dated_tasks_each_under_its_title(db):
    """“全国人大8月有什么工作安排” listed only the province's table row: the plan's “8月，召开…推进会” is a task of
    that month too. Next year's months are not this year's table's, and a scoped document stays scoped."""
    access = AccessService(db)
    code, _ = await access.create_invitation(name="戊", delegation="宁夏代表团")
    u = (await access.redeem(code, 15)).user
    chunks = [_C("宁夏2026年度代表工作安排表", "8月", "时间：8月；主要内容：交叉调研；相关部门：办公厅"),
              _C("全国人大常委会2026年度代表工作计划", "六、… / 20",
                 "20. 加强统筹管理。3月，召开代表建议交办会。8月，召开代表建议办理工作推进会，督促按时办结。"),
              _C("全国人大常委会2026年度代表工作计划", "六、… / 22", "22. 重点督办。4月至9月，专门委员会开展督办工作。"),
              _C("甘肃2026年度内部安排", "六、… / 3", "8月，甘肃代表团内部会议。", scope="delegation:甘肃代表团")]
    svc = ScheduleService(db, chunks=lambda: chunks, today=lambda: date(2026, 7, 1))
    (august,) = await svc.plan(u, [(2026, 8)])
    assert [(r.title, r.text) for r in august.rows] == [
        ("宁夏2026年度代表工作安排表", "交叉调研"),
        ("全国人大常委会2026年度代表工作计划", "8月，召开代表建议办理工作推进会，督促按时办结。"),
        ("全国人大常委会2026年度代表工作计划", "4月至9月，专门委员会开展督办工作。")]
    assert august.rows[1].locator == "六、… / 20"
    # the document the question names comes first
    (asked,) = named_first([august], "全国人大8月有什么工作安排")
    assert [r.title for r in asked.rows][0] == "全国人大常委会2026年度代表工作计划"
    (asked,) = named_first([august], "宁夏8月有什么安排")
    assert asked.rows[0].title == "宁夏2026年度代表工作安排表"
    (next_august,) = await svc.plan(u, [(2027, 8)])
    assert next_august.rows == []


@pytest.mark.parametrize(
    "text,expected",
    [("本月有什么安排", [(2026, 8)]), ("下个月的工作计划", [(2026, 9)]), ("近期有哪些活动", [(2026, 8), (2026, 9)]),
     ("十二月的工作安排", [(2026, 12)]), ("3月安排了什么", [(2026, 3)]), ("代表有哪些权利", None),
     ("代表法第三条规定了什么工作", None), ("4月至9月的督办工作计划是啥", None),
     ("宁夏明年1月有什么安排", [(2027, 1)]), ("2027年3月的工作安排", [(2027, 3)]),
     # what is on in a month, asked without 安排 (a new-user round); one task of the month still goes to search
     ("今年12月有什么活动", [(2026, 12)]), ("8月份都有哪些工作？", [(2026, 8)]), ("8月召开的推进会有什么要求", None),
     # the rest of the year (tenth round: “今年还剩什么工作” got one plan item), a month named still wins
     ("今年还剩什么工作", [(2026, m) for m in range(8, 13)]), ("年底前还有哪些安排", [(2026, m) for m in range(8, 13)]),
     ("今年还剩什么工作（11月）", [(2026, 11)]), ("今年还有代表培训吗", None), ("代表建议交办以后还有什么工作", None),
     ("这件建议还剩哪些工作没办", None), ("今年还有什么工作要求", None),
     # the whole year: the 全年 rows alone when routine work is asked for, every month otherwise; one task still searches
     ("全年常态化工作有哪些", []), ("宁夏全年有哪些经常性工作", []), ("今年全年的工作安排", [(2026, m) for m in range(1, 13)]),
     ("全年都有什么活动", [(2026, m) for m in range(1, 13)]), ("全年执法检查有哪些安排", None),
     ("代表全年要参加几次会议", None)],
)
def test_schedule_question_detection(text, expected):
    assert schedule_months_in(text, date(2026, 8, 10)) == expected


def test_parse_day_and_scope_and_upload_checks():
    today = date(2026, 8, 10)
    assert parse_day("2026-09-18", today) == date(2026, 9, 18)
    assert parse_day("9月18日", today) == date(2026, 9, 18)
    assert parse_day("1-5", date(2026, 12, 20)) == date(2027, 1, 5)
    assert parse_day("2026-02-30", today) is None and parse_day("明天", today) is None
    assert parse_scope("全部") == "all" and parse_scope("范围：工作人员") == "staff"
    assert parse_scope("代表团：宁夏代表团") == "delegation:宁夏代表团"
    assert parse_scope("committee=财经委") == "committee:财经委"
    assert parse_scope("随便") is None and parse_scope(None) is None
    assert upload_problem("a.PDF", 10) is None and upload_problem("a.exe", 10) == "type"
    assert upload_problem("a.docx", 21 * 1024 * 1024) == "size"
