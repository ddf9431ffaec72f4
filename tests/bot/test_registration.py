"""Registration and access: nobody sees materials without a valid one-time code."""

from __future__ import annotations

from datetime import timedelta

from botharness import feed, register
from storage.models import Role


async def test_unregistered_user_gets_only_registration_hint(app, tg, upd):
    await feed(app, upd.text(42, "代表有哪些权利？"))
    (reply,) = tg.sent("sendMessage")
    assert "邀请码" in reply.text and "/start" in reply.text
    assert "代表法" not in reply.text  # no material leaks


async def test_start_with_valid_code_registers_once(app, core, tg, upd):
    code, _ = await core.access.create_invitation(name="张三", role=Role.DEPUTY, delegation="宁夏代表团")
    await feed(app, upd.text(42, f"/start {code}"))
    assert "张三" in tg.texts()[-1] and "代表" in tg.texts()[-1]
    users = await core.access.list_users()
    assert [(u.telegram_id, u.name, u.delegation) for u in users] == [(42, "张三", "宁夏代表团")]

    # The same code is refused for a second person.
    await feed(app, upd.text(43, f"/start {code}"))
    assert "已被使用" in tg.texts()[-1]
    assert len(await core.access.list_users()) == 1


async def test_code_is_case_and_space_insensitive(app, core, tg, upd):
    code, _ = await core.access.create_invitation(name="李四")
    await feed(app, upd.text(44, f"/start {code.lower()[:5]} {code.lower()[5:]}"))
    # only the first argument is taken; split codes are invalid, the whole lower-case code is fine
    assert "无效" in tg.texts()[-1]
    await feed(app, upd.text(44, f"/start {code.lower()}"))
    assert "欢迎使用" in tg.texts()[-1]


async def test_a_code_sent_on_its_own_registers_too(app, core, tg, upd):
    """New users paste what they were given, without /start: the code alone (or “邀请码：abcd-…”) registers
    them; once registered, a message of that shape is a question like any other."""
    code, _ = await core.access.create_invitation(name="赵六")
    await feed(app, upd.text(48, f"邀请码：{code[:4].lower()}-{code[4:]}"))
    assert "欢迎使用" in tg.texts()[-1]
    assert [u.name for u in await core.access.list_users()] == ["赵六"]
    other, _ = await core.access.create_invitation(name="钱七")
    await feed(app, upd.text(48, other))  # already registered: not a second account
    assert "欢迎使用" not in tg.texts()[-1] and len(await core.access.list_users()) == 1
    await feed(app, upd.text(49, "NOPE1234XY"))  # code-shaped but unknown: told so, not the generic hint
    assert "邀请码无效" in tg.texts()[-1]


async def test_expired_code_is_refused(app, core, tg, upd):
    code, _ = await core.access.create_invitation(name="王五", ttl=timedelta(seconds=-1))
    await feed(app, upd.text(45, f"/start {code}"))
    assert "已过期" in tg.texts()[-1]
    assert await core.access.list_users() == []


async def test_invalid_and_missing_code(app, tg, upd):
    await feed(app, upd.text(46, "/start NOPE1234"))
    assert "无效" in tg.texts()[-1]
    await feed(app, upd.text(46, "/start"))
    assert "/start 邀请码" in tg.texts()[-1]


async def test_registered_user_start_again(app, core, tg, upd):
    await register(core, app, upd, tg, 47)
    code, _ = await core.access.create_invitation(name="别人")
    await feed(app, upd.text(47, f"/start {code}"))
    assert "已经注册" in tg.texts()[-1]
    # the unused code stays valid for its real owner
    await feed(app, upd.text(48, f"/start {code}"))
    assert "欢迎使用" in tg.texts()[-1]


async def test_suspended_user_is_refused_at_once(app, core, tg, upd):
    await register(core, app, upd, tg, 50)
    (u,) = await core.access.list_users()
    await core.access.suspend(u.id)
    await feed(app, upd.text(50, "代表有哪些权利？"))
    assert tg.texts() == ["您的账号已被停用，如有疑问请联系代表工作机构的工作人员。"]
    # a fresh invitation does not bring a suspended account back
    code, _ = await core.access.create_invitation(name="又一个")
    await feed(app, upd.text(50, f"/start {code}"))
    assert "已被停用" in tg.texts()[-1]
    await feed(app, upd.text(50, "/help"))
    assert "已被停用" in tg.texts()[-1]


async def test_deputy_cannot_use_staff_commands(app, core, tg, upd):
    await register(core, app, upd, tg, 51)
    for cmd in ("/invite deputy 赵六", "/users", "/suspend 1", "/reactivate 1", "/setrole 1 admin", "/addevent 2026-08-20 视察",
                "/scope 全部", "/invites", "/revoke 1"):
        tg.clear()
        await feed(app, upd.text(51, cmd))
        assert tg.texts() == ["该功能仅限工作人员使用。"], cmd
    assert [u.role for u in await core.access.list_users()] == [Role.DEPUTY]


async def test_staff_manage_users_from_the_bot(app, core, tg, upd):
    await register(core, app, upd, tg, 60, role=Role.STAFF)
    await feed(app, upd.text(60, "/invite deputy 赵六 宁夏代表团 财政经济委员会"))
    reply = tg.texts()[-1]
    assert "姓名：赵六，代表团：宁夏代表团，专门委员会：财政经济委员会" in reply  # round 12: the committee was dropped
    code = reply.split("<code>")[1].split("</code>")[0]
    await feed(app, upd.text(61, f"/start {code}"))
    assert "欢迎使用" in tg.texts()[-1]
    tg.clear()
    await feed(app, upd.text(60, "/users"))
    listing = tg.texts()[-1]
    assert "赵六" in listing and "宁夏代表团" in listing
    deputy = next(u for u in await core.access.list_users() if u.telegram_id == 61)
    assert deputy.committees == ("财政经济委员会",)
    await feed(app, upd.text(60, f"/suspend {deputy.id}"))
    assert "已停用" in tg.texts()[-1]
    await feed(app, upd.text(61, "代表有哪些权利"))
    assert "已被停用" in tg.texts()[-1]
    # staff may not create admins
    await feed(app, upd.text(60, "/invite admin 钱七"))
    assert tg.texts()[-1] == "只有管理员可以邀请或任命管理员。"
    await feed(app, upd.text(60, f"/reactivate {deputy.id}"))  # had been possible only from the server's console
    assert tg.texts()[-1] == "已恢复：赵六（编号 %d），可以重新使用助手。" % deputy.id
    await feed(app, upd.text(61, "/help"))
    assert "已被停用" not in tg.texts()[-1]



async def test_invite_words_are_read_by_what_they_name(app, core, tg, upd):
    """Round 13: “/invite 代表 马建国 同心县 宁夏代表团” stored 同心县 as the delegation and 宁夏代表团 as a committee."""
    await register(core, app, upd, tg, 64, role=Role.STAFF)
    await feed(app, upd.text(64, "/invite 代表 马建国 同心县 宁夏代表团"))
    refused = tg.texts()[-1]
    assert "没有生成邀请码" in refused and "“同心县”" in refused and "/invite 代表 马建国 宁夏代表团" in refused
    assert "<code>" not in refused
    await feed(app, upd.text(64, "/invite 代表 马建国 财经委 宁夏代表团"))  # order no longer matters
    assert "代表团：宁夏代表团，专门委员会：财经委" in tg.texts()[-1]
    await feed(app, upd.text(64, "/invite 代表 李梅 宁夏"))  # a bare delegation name still works
    assert "姓名：李梅，代表团：宁夏，" in tg.texts()[-1]


async def test_an_unused_code_can_be_listed_and_withdrawn(app, core, tg, upd):
    """Round 13: a code sent to the wrong person could not be withdrawn; it stayed valid for 72 hours."""
    await register(core, app, upd, tg, 65, role=Role.STAFF)
    await feed(app, upd.text(65, "/invite 代表 马建国 宁夏代表团"))
    code = tg.texts()[-1].split("<code>")[1].split("</code>")[0]
    _, admin_inv = await core.access.create_invitation(name="钱管理", role=Role.ADMIN)
    await feed(app, upd.text(65, "/invites"))
    listing = tg.texts()[-1]
    assert listing.startswith("尚未使用的邀请码") and "马建国 · 代表 · 宁夏代表团 · " in listing and "前有效" in listing
    number = int(listing.split("马建国")[0].split("\n")[-1].rstrip(". "))
    await feed(app, upd.text(65, f"/revoke {admin_inv.id}"))
    assert tg.texts()[-1] == "只有管理员可以作废管理员的邀请码。"
    await feed(app, upd.text(65, f"/revoke {number}"))
    assert tg.texts()[-1].startswith(f"已作废邀请码：马建国（编号 {number}）")
    await feed(app, upd.text(66, f"/start {code}"))
    assert "已过期" in tg.texts()[-1]
    assert not [u for u in await core.access.list_users() if u.telegram_id == 66]
    await feed(app, upd.text(65, f"/revoke {number}"))  # withdrawn already
    assert tg.texts()[-1].startswith(f"没有编号为 {number} 的未使用邀请码")
    await feed(app, upd.text(65, "/invites"))
    assert "马建国" not in tg.texts()[-1] and "钱管理" in tg.texts()[-1]
    await feed(app, upd.text(65, "/revoke"))
    assert tg.texts()[-1].startswith("用法：/revoke 邀请编号")

async def test_staff_cannot_lock_themselves_out_or_touch_administrators(app, core, tg, upd):
    """Round 12: a staff member suspended himself from the bot and nobody there could undo it."""
    await register(core, app, upd, tg, 62, role=Role.STAFF)
    await register(core, app, upd, tg, 63, role=Role.ADMIN)
    staff, admin = sorted(await core.access.list_users(), key=lambda u: u.telegram_id)
    await feed(app, upd.text(62, f"/suspend {staff.id}"))
    assert tg.texts()[-1].startswith("不能停用或修改自己的账号")
    await feed(app, upd.text(62, f"/setrole {staff.id} 代表"))
    assert tg.texts()[-1].startswith("不能停用或修改自己的账号")
    await feed(app, upd.text(62, f"/suspend {admin.id}"))
    assert tg.texts()[-1] == "只有管理员可以授予、取消或停用管理员账号。"
    await feed(app, upd.text(62, f"/setrole {admin.id} 代表"))
    assert tg.texts()[-1] == "只有管理员可以授予、取消或停用管理员账号。"
    assert {(u.role, u.status.value) for u in await core.access.list_users()} == {
        (Role.STAFF, "active"), (Role.ADMIN, "active")}
    await feed(app, upd.text(63, f"/suspend {staff.id}"))  # an administrator may
    assert tg.texts()[-1].startswith("已停用")


async def test_help_teaches_features(app, core, tg, upd):
    await register(core, app, upd, tg, 70)
    await feed(app, upd.text(70, "/help"))
    text = tg.texts()[-1]
    assert "语音" in text and "/schedule" in text and "原文" in text
    assert "/invite" not in text  # staff part only for staff
