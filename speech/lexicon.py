"""Domain lexicon for transcript correction: terms deputies use, built from indexed text.

Sources: a curated core vocabulary (always), law names and their short forms, committee and unit
names, places, and domain terms that are frequent in the corpus but rare in general Chinese.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

CORE_TERMS: tuple[str, ...] = (
    # duties and procedures
    "列席", "质询", "质询案", "询问", "提议", "视察", "集中视察", "专题调研", "调研", "议案", "建议", "批评和意见",
    "代表建议", "代表议案", "交办", "承办", "承办单位", "主办单位", "协办单位", "督办", "重点督办",
    "办理", "答复", "审议", "表决", "罢免", "罢免案", "辞职", "补选", "选举", "换届选举", "直接选举", "间接选举",
    "执法检查", "备案审查", "听取和审议", "专项工作报告", "闭会期间", "履职", "依法履职", "代表履职",
    "履职档案", "代表之家", "代表联络站", "联系群众", "联系选民", "述职", "主题实践活动",
    "议事规则", "委员长会议", "主任会议", "主席团", "预备会议", "全体会议", "分组会议", "代表资格审查",
    "代表资格", "言论免责", "人身特别保护", "代表证", "选民", "选区", "选举单位", "原选举单位",
    "两个联系", "全过程人民民主", "人民代表大会制度", "十五五", "规划纲要", "自检自测", "两摘两推", "语音检索",
    # bodies and units
    "人大", "人大代表", "全国人大", "全国人大代表", "人大常委会", "全国人大常委会", "常务委员会", "常委会",
    "专门委员会", "工作委员会", "代表工作委员会", "代表资格审查委员会", "法制工作委员会", "预算工作委员会",
    "代表团", "宁夏代表团", "代表小组", "办公厅", "研究室", "组织部", "党委组织部", "一府一委两院",
    "人民政府", "监察委员会", "人民法院", "人民检察院", "高级人民法院", "自治区", "自治区人大常委会",
    "乡镇人大", "县乡两级", "五级人大代表",
    # laws
    "代表法", "选举法", "组织法", "地方组织法", "监督法", "立法法", "宪法", "预算法", "监察法",
    "全国人民代表大会组织法", "全国人民代表大会议事规则",
    # places (provincial level and Ningxia's cities)
    "宁夏", "宁夏回族自治区", "银川", "石嘴山", "吴忠", "固原", "中卫", "北京", "天津", "上海", "重庆",
    "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东",
    "河南", "湖北", "湖南", "广东", "广西", "海南", "四川", "贵州", "云南", "西藏", "陕西", "甘肃",
    "青海", "新疆", "香港", "澳门", "台湾",
)

# Mishearings of the small Vosk model seen in practice (issue 3 and the development half of the
# voice question set): heard -> meant. Applied only in a domain context, like all corrections.
CONFUSIONS: dict[str, str] = {
    "练习": "列席",
    "治学按": "质询案",
    "是查": "视察",
    "名下": "宁夏",
}

MAX_TERM_LEN = 30  # full law titles are long
_LAW_TITLE = re.compile(r"《([^《》]{2,40})》")
_LAW_SHORT = re.compile(r"(?:大会|委员会|各级|中华人民共和国)([\u4e00-\u9fa5]{1,6}(?:法|规则|条例|办法))$")
_ORG_SUFFIXES = (
    "委员会", "常委会", "代表团", "办公厅", "办公室", "组织部", "人民政府", "人民法院", "人民检察院", "研究室",
    "联络站", "代表之家",
)
_SUFFIX_ALT = "|".join(sorted(_ORG_SUFFIXES, key=len, reverse=True))
_ORG = re.compile(
    r"(?:^|[^\u4e00-\u9fa5]|各|和|及|与|的)([\u4e00-\u9fa5]{0,10}?(?:" + _SUFFIX_ALT + ")(?:" + _SUFFIX_ALT + ")*)"
)
_HAN = re.compile(r"^[\u4e00-\u9fa5]+$")


@dataclass
class Lexicon:
    terms: set[str] = field(default_factory=set)
    confusions: dict[str, str] = field(default_factory=dict)

    def __contains__(self, term: str) -> bool:
        return term in self.terms

    def __len__(self) -> int:
        return len(self.terms)

    def add(self, terms: Iterable[str]) -> None:
        for t in terms:
            t = t.strip()
            if 2 <= len(t) <= MAX_TERM_LEN and _HAN.match(t):
                self.terms.add(t)


def law_short_name(title: str) -> str | None:
    """《全国人民代表大会和地方各级人民代表大会代表法》 -> 代表法."""
    title = title.replace("中华人民共和国", "")
    m = _LAW_SHORT.search(title)
    return m.group(1) if m else None


def extract_terms(texts: Iterable[str], *, min_count: int = 2, max_general_freq: int = 30) -> set[str]:
    """Terms from running text: law titles and short names, organisation names, and words
    frequent here but rare in general Chinese (by jieba's dictionary frequency)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    general = jieba.dt.FREQ if jieba.dt.initialized else None
    if general is None:
        jieba.initialize()
        general = jieba.dt.FREQ
    out: set[str] = set()
    words: Counter[str] = Counter()
    orgs: Counter[str] = Counter()
    for text in texts:
        for m in _LAW_TITLE.finditer(text):
            title = m.group(1).replace("中华人民共和国", "").strip()
            if title.endswith(("法", "规则", "条例", "办法", "决定", "规定")) and len(title) <= 30:
                out.add(title)
                short = law_short_name(title)
                if short:
                    out.add(short)
        for m in _ORG.finditer(text):
            orgs[m.group(1)] += 1
        for w in jieba.cut(text, HMM=False):
            if len(w) >= 2 and _HAN.match(w):
                words[w] += 1
    out.update(o for o, c in orgs.items() if c >= min_count and 3 <= len(o) <= 14)
    out.update(w for w, c in words.items() if c >= min_count and general.get(w, 0) <= max_general_freq and len(w) >= 3)
    return out


def build_lexicon(texts: Iterable[str] = (), *, titles: Iterable[str] = ()) -> Lexicon:
    """Core vocabulary + terms extracted from ``texts`` + law titles (and their short names)."""
    lex = Lexicon(confusions=dict(CONFUSIONS))
    lex.add(CORE_TERMS)
    for t in titles:
        t = t.replace("中华人民共和国", "").strip()
        lex.add([t])
        short = law_short_name(t)
        if short:
            lex.add([short])
    lex.add(extract_terms(texts))
    return lex


def lexicon_from_kb(kb) -> Lexicon:
    """Lexicon of an opened ``retrieval.KnowledgeBase`` (reads every chunk once)."""
    titles: set[str] = set()

    def texts() -> Iterable[str]:
        for chunk in kb.iter_chunks():
            titles.add(chunk.title)
            yield chunk.text

    lex = build_lexicon(texts())
    lex.add(t.replace("中华人民共和国", "") for t in titles if len(t) <= 30)
    for t in titles:
        short = law_short_name(t)
        if short:
            lex.add([short])
    return lex


def index_stamp(index_dir: str | Path) -> str:
    """What identifies an index's content: its manifest (generation and corpus fingerprint, rewritten
    on every change), else the directory's mtime (an index without a manifest yet)."""
    p = Path(index_dir)
    try:
        m = json.loads((p / "manifest.json").read_text(encoding="utf-8"))
        if m.get("corpus_fingerprint"):
            return f"{m.get('generation')}:{m['corpus_fingerprint']}"
    except (OSError, ValueError):
        pass
    try:
        return f"mtime:{p.stat().st_mtime_ns}"
    except OSError:
        return "missing"


@lru_cache(maxsize=1)
def _code_version() -> str:
    """Changes whenever this module (core vocabulary, extraction rules) or jieba changes."""
    import jieba

    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(str(getattr(jieba, "__version__", "")).encode())
    return h.hexdigest()[:12]


def _cache_root() -> Path | None:
    try:
        from deputy_assistant.config import get_settings

        return Path(get_settings().data_dir) / "cache" / "speech-lexicon"
    except Exception:  # pragma: no cover - the app shell is optional for the speech package
        return None


def _cache_file(index_dir: str, stamp: str) -> Path | None:
    root = _cache_root()
    if root is None or stamp.startswith(("mtime:", "missing")):
        return None
    key = hashlib.sha256(f"{index_dir}|{stamp}|{_code_version()}".encode()).hexdigest()[:24]
    return root / f"{key}.json"


_CACHE_KEEP = 32


def _load_cached(path: Path | None) -> Lexicon | None:
    if path is None:
        return None
    try:
        terms = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(terms, list):
        return None
    lex = Lexicon(confusions=dict(CONFUSIONS))
    lex.terms = {t for t in terms if isinstance(t, str)}
    return lex


def _store_cached(path: Path | None, lex: Lexicon) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(sorted(lex.terms), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
        old = sorted(path.parent.glob("*.json"), key=lambda f: f.stat().st_mtime)[:-_CACHE_KEEP]
        for f in old:  # temporary indexes (tests, benchmarks) must not pile up
            f.unlink(missing_ok=True)
    except OSError as exc:  # a read-only data dir only costs the rebuild next time
        log.info("speech lexicon cache not written: %s", exc)


_INDEX_LEXICONS: dict[tuple[str, str], Lexicon] = {}
_INDEX_LOCK = threading.Lock()  # two voice notes arriving first must not both build it


def _build_for_index(index_dir: str, stamp: str, kb=None) -> Lexicon:
    """Building reads and segments every chunk (3 s for the 90 laws, 18 s for 58,860 articles),
    so the result is kept on disk per index content, not only per process."""
    cache = _cache_file(index_dir, stamp)
    lex = _load_cached(cache)
    if lex is not None:
        return lex
    if kb is None:
        from retrieval import KnowledgeBase

        kb = KnowledgeBase.open(Path(index_dir))
    lex = lexicon_from_kb(kb)
    _store_cached(cache, lex)
    return lex


def lexicon_for_index(index_dir: str | Path, kb=None) -> Lexicon:
    """Lexicon of an index, cached per index content (manifest generation and fingerprint) in
    memory and on disk. ``kb``: the index already opened, if the caller has it."""
    p = Path(index_dir).resolve()
    key = (str(p), index_stamp(p))
    with _INDEX_LOCK:
        lex = _INDEX_LEXICONS.get(key)
        if lex is None:
            lex = _build_for_index(key[0], key[1], kb)
            if len(_INDEX_LEXICONS) >= 8:
                _INDEX_LEXICONS.pop(next(iter(_INDEX_LEXICONS)))
            _INDEX_LEXICONS[key] = lex
        return lex


def _builtin_texts() -> list[str]:
    """Texts of the built-in corpus without building an index: corpus/data files if present."""
    try:
        import corpus

        data = Path(getattr(corpus, "BUILTIN_DIR", Path(corpus.__file__).resolve().parent / "data"))
    except ImportError:  # pragma: no cover - corpus is part of the project
        return []
    texts = []
    for f in sorted(data.glob("*")):
        if f.suffix.lower() in {".txt", ".md"}:
            texts.append(f.read_text(encoding="utf-8", errors="ignore"))
    return texts


@lru_cache(maxsize=1)
def builtin_lexicon() -> Lexicon:
    """Lexicon of the built-in corpus (the two seed documents) plus the core vocabulary."""
    texts = _builtin_texts()
    if not texts:
        log.info("built-in corpus files not found; lexicon from core vocabulary only")
    return build_lexicon(texts)
