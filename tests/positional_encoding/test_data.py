"""The toy data of snippets/positional_encoding/data.py against PyTorch's
own seeded constructors."""

import pytest
import torch
from torch import nn

from snippets.positional_encoding.data import (SENTENCES, VOCAB,
                                               scaled_embedding, token_ids,
                                               word_embedding)


def test_sentences_are_one_bag_of_words_in_two_orders():
    a, b = SENTENCES
    assert sorted(a) == sorted(b) and a != b
    assert set(a) == set(VOCAB)


def test_token_ids():
    assert token_ids(["你", "爱", "我"]).tolist() == [[2, 1, 0]]
    for bad in (["他"], []):
        with pytest.raises(ValueError, match="non-empty sequence"):
            token_ids(bad)


@pytest.mark.parametrize("d_model, seed", [(16, 1), (5, 0), (32, 123)])
def test_word_embedding_is_torchs_seeded_init(d_model, seed):
    state = torch.random.get_rng_state()
    emb = word_embedding(d_model, seed)
    assert torch.equal(torch.random.get_rng_state(), state)  # 全局不受影响
    torch.manual_seed(seed)
    ref = nn.Embedding(len(VOCAB), d_model, dtype=torch.float64)
    torch.random.set_rng_state(state)
    assert emb.weight.dtype == torch.float64
    torch.testing.assert_close(emb.weight, ref.weight, rtol=0, atol=0)


def test_scaled_embedding_seeded_and_from_the_global_generator():
    state = torch.random.get_rng_state()
    emb = scaled_embedding(1000, 512, seed=0)
    assert torch.equal(torch.random.get_rng_state(), state)
    torch.manual_seed(0)
    ref = nn.Embedding(1000, 512)
    nn.init.normal_(ref.weight, std=512 ** -0.5)
    torch.testing.assert_close(emb.weight, ref.weight, rtol=0, atol=0)
    # N(0, 1/d)：50 万个样本的标准差在 1% 以内
    assert abs(emb.weight.std().item() * 512 ** 0.5 - 1) < 0.01
    # seed=None：从全局生成器抽取，调用者随后还能接着抽
    torch.manual_seed(3)
    a = scaled_embedding(10, 4)
    after_a = torch.rand(1)
    torch.manual_seed(3)
    ref = nn.Embedding(10, 4)
    nn.init.normal_(ref.weight, std=0.5)
    torch.testing.assert_close(a.weight, ref.weight, rtol=0, atol=0)
    assert torch.equal(after_a, torch.rand(1))
    torch.random.set_rng_state(state)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: word_embedding(0), ValueError, "d_model must be >= 1"),
    (lambda: word_embedding(4, seed=1.0), TypeError, "seed must be an int"),
    (lambda: scaled_embedding(10, 4.0), TypeError, "d_model must be an int"),
    (lambda: scaled_embedding(0, 4), ValueError, "n_tokens must be >= 1"),
    (lambda: scaled_embedding(10, 4, seed="0"), TypeError, "seed must be"),
])
def test_bad_inputs(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
