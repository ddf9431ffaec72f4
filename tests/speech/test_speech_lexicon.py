"""The domain lexicon: core vocabulary plus terms found in indexed text."""

from __future__ import annotations

from dataclasses import dataclass

from speech.lexicon import CORE_TERMS, build_lexicon, builtin_lexicon, extract_terms, law_short_name, lexicon_from_kb


def test_builtin_lexicon_has_core_vocabulary_and_corpus_terms():
    lex = builtin_lexicon()
    for term in ("列席", "质询案", "视察", "议案", "建议", "专门委员会", "常务委员会", "交办", "承办单位", "代表团", "换届选举", "宁夏", "代表法", "选举法"):
        assert term in lex, term
    # from the Ningxia schedule (corpus/data), not from the core list
    from_corpus = {"自治区党委组织部", "代表工作委员会", "自治区人民检察院"}
    assert from_corpus <= lex.terms
    assert not any(t in CORE_TERMS for t in ("自治区党委组织部",))


def test_law_short_names():
    assert law_short_name("全国人民代表大会和地方各级人民代表大会代表法") == "代表法"
    assert law_short_name("中华人民共和国全国人民代表大会和地方各级人民代表大会选举法") == "选举法"
    assert law_short_name("各级人民代表大会常务委员会监督法") == "监督法"
    assert law_short_name("全国人民代表大会常务委员会议事规则") == "议事规则"


def test_extract_terms_finds_law_titles_and_units():
    text = (
        "根据《中华人民共和国各级人民代表大会常务委员会监督法》，自治区人大社会建设委员会和"
        "自治区人民政府办公厅开展执法检查。自治区人大社会建设委员会听取汇报，自治区人民政府办公厅答复。"
    )
    terms = extract_terms([text])
    assert {"各级人民代表大会常务委员会监督法", "监督法", "自治区人大社会建设委员会", "自治区人民政府办公厅"} <= terms
    assert "听取汇报" not in terms  # ordinary words are not terms


@dataclass
class _Chunk:
    title: str
    locator: str
    text: str


class _StandInKB:
    """Stand-in for retrieval.KnowledgeBase: only ``iter_chunks`` is used by the lexicon."""

    def __init__(self, chunks):
        self.chunks = chunks

    def iter_chunks(self):
        yield from self.chunks


def test_lexicon_from_index_chunks_includes_titles():
    kb = _StandInKB([
        _Chunk("中华人民共和国全国人民代表大会和地方各级人民代表大会选举法", "第一条", "为了规定选举工作，根据宪法，制定本法。"),
        _Chunk("宁夏回族自治区人民代表大会常务委员会讨论决定重大事项的规定", "第二条", "固原市人大常委会和吴忠市人大常委会应当报告。"),
    ])
    lex = lexicon_from_kb(kb)
    assert "选举法" in lex
    assert "全国人民代表大会和地方各级人民代表大会选举法" in lex
    assert "列席" in lex  # core vocabulary always present


def test_only_chinese_terms_of_sensible_length():
    lex = build_lexicon(["ABC委员会 和 x"])
    assert all(2 <= len(t) <= 16 for t in lex.terms)


class _ExplodingKB:
    def iter_chunks(self):
        raise AssertionError("the lexicon should have come from the cache")


def test_index_lexicon_is_cached_on_disk_per_index_content(tmp_path, monkeypatch):
    import json

    import speech.lexicon as lexmod

    monkeypatch.setattr(lexmod, "_cache_root", lambda: tmp_path / "cache")
    monkeypatch.setattr(lexmod, "_INDEX_LEXICONS", {})
    index = tmp_path / "index"
    index.mkdir()
    manifest = index / "manifest.json"
    manifest.write_text(json.dumps({"generation": 1, "corpus_fingerprint": "abc"}), encoding="utf-8")
    kb = _StandInKB([_Chunk("中华人民共和国各级人民代表大会常务委员会监督法", "第一条", "为了保障常务委员会依法行使监督职权，制定本法。")])

    first = lexmod.lexicon_for_index(index, kb)
    assert "监督法" in first and "列席" in first
    assert len(list((tmp_path / "cache").glob("*.json"))) == 1

    # A new process (empty memory cache) reads the terms back instead of re-reading the index.
    monkeypatch.setattr(lexmod, "_INDEX_LEXICONS", {})
    again = lexmod.lexicon_for_index(index, _ExplodingKB())
    assert again.terms == first.terms and again.confusions == first.confusions

    # The index changed: its manifest says so, and the lexicon is rebuilt from the new content.
    manifest.write_text(json.dumps({"generation": 2, "corpus_fingerprint": "def"}), encoding="utf-8")
    kb2 = _StandInKB([_Chunk("中华人民共和国全国人民代表大会和地方各级人民代表大会选举法", "第一条", "根据宪法，制定本法。")])
    changed = lexmod.lexicon_for_index(index, kb2)
    assert "全国人民代表大会和地方各级人民代表大会选举法" in changed
    assert "各级人民代表大会常务委员会监督法" in first and "各级人民代表大会常务委员会监督法" not in changed
