from __future__ import annotations

import pytest

from storage.models import Role, UserStatus

from broadcasts import audience as aud
from broadcasts import service


@pytest.fixture
async def people(db, add_users):
    users = await add_users([
        {"name": "张三", "delegation": "广东代表团", "committees": ["教育科学文化卫生委员会"]},
        {"name": "李四", "delegation": "广东代表团"},
        {"name": "王五", "delegation": "四川代表团", "committees": ["教育科学文化卫生委员会", "财政经济委员会"]},
        {"name": "赵六", "delegation": "四川代表团", "status": UserStatus.SUSPENDED.value},
        {"name": "工作人员", "role": Role.STAFF.value, "delegation": "广东代表团"},
    ])
    async with db.session() as s, s.begin():
        await aud.set_profile(s, users[0].id, congress_level="全国", tags=["乡村振兴"])
        await aud.set_profile(s, users[2].id, congress_level="省", tags=["乡村振兴", "民营经济"])
        await aud.set_profile(s, users[1].id, congress_level="全国")
    return users


async def names(db, spec):
    async with db.session() as s:
        return [r.name for r in await aud.resolve(s, spec)]


@pytest.mark.db
async def test_every_audience_kind(db, people):
    assert await names(db, aud.AudienceSpec()) == ["张三", "李四", "王五"]  # active deputies only
    assert await names(db, aud.AudienceSpec(include_staff=True)) == ["张三", "李四", "王五", "工作人员"]
    assert await names(db, aud.AudienceSpec("delegation", "四川代表团")) == ["王五"]
    assert await names(db, aud.AudienceSpec("committee", "教育科学文化卫生委员会")) == ["张三", "王五"]
    assert await names(db, aud.AudienceSpec("level", "全国")) == ["张三", "李四"]
    assert await names(db, aud.AudienceSpec("tag", "乡村振兴")) == ["张三", "王五"]
    assert await names(db, aud.AudienceSpec("tag", "不存在")) == []
    # An explicit list names people directly (staff included); suspended accounts are still skipped.
    ids = (people[4].id, people[3].id, people[1].id)
    assert await names(db, aud.AudienceSpec("list", user_ids=ids)) == ["李四", "工作人员"]


@pytest.mark.db
async def test_preview_counts_recipients(db, people):
    async with db.session() as s, s.begin():
        b = await service.create(s, "请于周五前提交材料。", aud.AudienceSpec("delegation", "广东代表团"))
        p = await service.preview(s, b.id)
    assert (p.recipients, p.audience) == (2, "代表团：广东代表团")


@pytest.mark.parametrize("spec,msg", [
    (aud.AudienceSpec("planet", "x"), "未知的接收范围"),
    (aud.AudienceSpec("delegation", " "), "请指定代表团名称"),
    (aud.AudienceSpec("list"), "指定名单为空"),
])
def test_bad_audience_is_explained_in_chinese(spec, msg):
    with pytest.raises(aud.AudienceError, match=msg):
        spec.validate()


def test_spec_round_trips_json_and_scope():
    spec = aud.AudienceSpec("list", user_ids=(3, 1))
    assert aud.AudienceSpec.from_json(spec.to_json()) == spec
    assert aud.AudienceSpec.from_scope("committee:财政经济委员会") == aud.AudienceSpec("committee", "财政经济委员会")
    assert aud.AudienceSpec.from_scope("all") == aud.AudienceSpec()


@pytest.mark.db
async def test_bad_broadcast_input_loses_nothing(db, people):
    async with db.session() as s, s.begin():
        with pytest.raises(service.BroadcastError, match="通知内容为空"):
            await service.create(s, "  ", aud.AudienceSpec())
        with pytest.raises(service.BroadcastError, match="通知内容过长"):
            await service.create(s, "字" * 5000, aud.AudienceSpec())
        b = await service.create(s, "通知", aud.AudienceSpec("delegation", "无此代表团"))
        with pytest.raises(service.BroadcastError, match="没有找到任何接收人"):
            await service.confirm(s, b.id)
        assert (await service.preview(s, b.id)).text == "通知"  # the draft is still there to fix
