"""What the dense encoder reads of a provision: the whole, and each sentence of a long one."""

from __future__ import annotations

from corpus import Kind, Provision
from index.records import SENTENCE_MIN_CHARS, DocumentRecord, passage_text, sentence_texts

DOCUMENT = DocumentRecord("d", "documents/d.txt", "documents/d.txt", "如皋市“一老一小”整体解决方案", None, (),
                          "如皋市", "county", ("江苏省", "南通市"), None)


def _provision(text: str, path: tuple[str, ...] = ("三、主要任务", "（一）发展普惠托育服务")) -> Provision:
    return Provision("d#1", "d", Kind.CLAUSE, "（一）", None, path, text, 0, len(text))


def test_a_long_provision_is_read_whole_and_by_sentence() -> None:
    sentences = ["支持用人单位在工作场所为职工提供托育服务，鼓励有条件的单位办托育点。",
                 "新建居住区按每千人口不少于10个托位的标准配建托育服务设施；",
                 "老城区和已建成居住区通过购置、置换、租赁等方式建设。" * 4]
    provision = _provision("".join(sentences))
    assert len(provision.text) >= SENTENCE_MIN_CHARS
    assert passage_text(provision, DOCUMENT) == f"{DOCUMENT.title} （一）发展普惠托育服务 {provision.text}"
    texts = sentence_texts(provision, DOCUMENT)
    assert texts[:2] == [f"{DOCUMENT.title} （一）发展普惠托育服务 {s}" for s in sentences[:2]]
    assert len(texts) == 6  # the repeated sentence is four sentences


def test_a_short_provision_or_one_sentence_gets_no_sentence_vectors() -> None:
    short = _provision("新建居住区按每千人口不少于10个托位的标准配建托育服务设施。")
    assert sentence_texts(short, DOCUMENT) == []
    one_sentence = "，".join(["新建居住区按每千人口不少于10个托位的标准配建托育服务设施"] * 6) + "。"
    assert len(one_sentence) >= SENTENCE_MIN_CHARS
    assert sentence_texts(_provision(one_sentence), DOCUMENT) == []
