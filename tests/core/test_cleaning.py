from corpus.cleaning import clean_text, repair_page_breaks, split_sentences


def test_page_break_inside_sentence_is_joined():
    text = "1. 坚持党中央集中统一领导。认真贯彻落实重要指示批示精神，认真做好重要批示件的办理工作。代表\n\n工作中的重大问题、重大事项，及时报告。"
    assert "代表工作中的重大问题" in repair_page_breaks(text)


def test_heading_after_cut_line_is_not_joined():
    text = "严格规范机关干部与代表、地方人大交\n\n## 九、指导省级人大常委会代表工作"
    out = repair_page_breaks(text)
    assert "\n## 九、" in out


def test_sentence_end_keeps_paragraph_break():
    text = "第一段结束。\n\n第二段开始。"
    assert clean_text(text) == "第一段结束。\n\n第二段开始。"


def test_stray_english_and_spaces():
    out = clean_text("作为重大政治任务 and 履职必修课，2026 年 1 月")
    assert out == "作为重大政治任务和履职必修课，2026年1月"


def test_split_sentences_keeps_punctuation():
    assert split_sentences("3月，召开交办会。5月，开展培训！是否？") == ["3月，召开交办会。", "5月，开展培训！", "是否？"]
