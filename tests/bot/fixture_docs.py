"""Small documents the bot tests search (laws, scoped notes, a schedule table, a long list),
indexed once per session by the real retrieval.KnowledgeBase and copied per test."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCHEDULE_TITLE = "自治区人大常委会2026年度代表工作安排表"

# (file name, scope, text)
DOCS: list[tuple[str, str, str]] = [
    ("代表法节选.md", "all", """# 全国人民代表大会和地方各级人民代表大会代表法

第三条 代表享有下列权利：出席本级人民代表大会会议，参加审议各项议案、报告和其他议题，发表意见；依法联名提出议案、质询案、罢免案等。

第四条 代表应当履行下列义务：模范地遵守宪法和法律，保守国家秘密，在自己参加的生产、工作和社会活动中，协助宪法和法律的实施。

第五条 代表依照本法的规定在本级人民代表大会会议期间的工作和在本级人民代表大会闭会期间的活动，都是执行代表职务。
"""),
    ("宁夏代表团内部工作通报.md", "delegation:宁夏代表团", """# 宁夏代表团内部工作通报

闭会期间的集中调研安排在银川进行，联络人为代表团秘书处，请各位代表提前报名。
"""),
    ("工作人员内部备忘.md", "staff", """# 工作人员内部备忘

议案建议交办系统的账号由办公厅统一分配，调研经费另行通知。
"""),
    ("工作安排表.md", "all", f"""# {SCHEDULE_TITLE}

| 时间 | 主要内容 | 相关部门 | 承办单位 |
|---|---|---|---|
| 8月 | 1.做好代表集中视察服务保障工作；<br>2.组织代表参加常委会会议。 | 办公厅 | 代表工作委员会 |
| 9月 | 1.举办代表履职学习培训班；<br>2.开展代表建议办理情况督查。 | 办公厅 | 代表工作委员会 |
| 全年 | 邀请代表列席常委会会议，参加常委会执法检查。 | 办公厅 | 代表工作委员会 |
"""),
    ("代表履职要求汇编.md", "all", "# 代表履职要求汇编\n\n" + "\n".join(
        f"{i}. 代表履职要求第{i}项：{t}。" for i, t in enumerate(
            ["密切联系群众", "按时出席会议", "认真审议报告", "依法提出建议", "参加集中视察",
             "参加专题调研", "参加执法检查", "接受选民监督"], start=1)) + "\n"),
    ("广州市房地产中介协会简介.md", "all", """# 广州市房地产中介协会简介

广州市房地产中介协会定期分析房地产中介市场运行情况，发布行业自律公约。
"""),
    ("标签测试.md", "all", """# 标签<b>测试</b>文件

标签测试的规定：a<b & c>d 的写法必须原样显示。
"""),
]


def build_index(root: Path) -> Path:
    """Index DOCS into ``root/index`` (real embeddings); returns the index folder."""
    from retrieval import KnowledgeBase

    src = root / "docs"
    src.mkdir(parents=True)
    kb = KnowledgeBase.open(root / "index")
    for name, scope, text in DOCS:
        path = src / name
        path.write_text(text, encoding="utf-8")
        report = kb.ingest_paths([path], collection="test", scope=scope)
        assert report.chunks and not report.skipped, (name, report)
    return root / "index"


def _fingerprint() -> str:
    """Changes when the documents or the indexing code change, so a cached index is never stale."""
    h = hashlib.sha256(repr(DOCS).encode())
    for pkg in ("retrieval", "corpus"):
        for f in sorted((ROOT / pkg).rglob("*.py")):
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def cached_index(cache_dir: Path) -> Path:
    """The index of DOCS, built once and kept in pytest's cache across runs and test folders
    (embedding is the slow part on a busy machine)."""
    final = cache_dir / _fingerprint()
    if not (final / "index").is_dir():
        tmp = Path(tempfile.mkdtemp(dir=cache_dir))
        build_index(tmp)
        try:
            os.rename(tmp, final)  # atomic: a concurrent run either wins or finds it built
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
    return final / "index"


def fresh_copy(index: Path, dest: Path):
    """A private copy per test: uploads in one test never leak into another."""
    from retrieval import KnowledgeBase

    shutil.copytree(index, dest)
    return KnowledgeBase.open(dest)


# Fixtures shared by tests/bot and tests/e2e (imported into both conftests).


@pytest.fixture(scope="session")
def kb_index(request):
    """The fixture documents indexed once with the real e5 model (skips if it is not provisioned)."""
    from deputy_assistant.models import ModelMissingError, model_path

    try:
        model_path("multilingual-e5-small")
    except ModelMissingError as exc:
        pytest.skip(f"embedding model not provisioned (run `deputy-assistant models fetch`): {exc}")
    return cached_index(request.config.cache.mkdir("deputy_bot_kb"))


@pytest.fixture
def kb(kb_index, tmp_path):
    return fresh_copy(kb_index, tmp_path / "kb")
