"""train_manual and train_torch (snippets/backprop/training.py) against a
gradient-descent loop written here on PyTorch autograd gradients."""

import numpy as np
import pytest
from backprop.references import assert_close, good, torch_reference

from snippets import backprop as bp


def reference_descent(x, y, weights, biases, lr, steps):
    Ws = [W.copy() for W in weights]
    bs = [b.copy() for b in biases]
    losses = []
    for _ in range(steps):
        loss, gW, gb, _ = torch_reference(x, y, Ws, bs, "tanh", "identity",
                                          "cross_entropy")
        losses.append(loss)
        Ws = [W - lr * g for W, g in zip(Ws, gW)]
        bs = [b - lr * g for b, g in zip(bs, gb)]
    return np.array(losses), Ws, bs


def test_manual_training_and_sgd_match_a_reference_descent():
    x, y = bp.spiral_data(n_per_class=20)
    weights, biases = bp.random_network([2, 6, 3], np.random.default_rng(1))
    ref, ref_W, ref_b = reference_descent(x, y, weights, biases, 0.5, 30)
    manual, Ws, bs = bp.train_manual(
        x, y, weights, biases, 0.5, 30, activation="tanh",
        output_activation="identity", loss="cross_entropy")
    sgd, model = bp.train_torch(x, y, weights, biases, 0.5, 30)
    assert_close(manual, ref)
    assert_close(sgd, ref)
    assert manual[-1] < manual[0]
    linears = [m for m in model if hasattr(m, "weight")]
    for W, b, lin, rW, rb in zip(Ws, bs, linears, ref_W, ref_b):
        assert_close(W, rW)
        assert_close(b, rb)
        assert_close(lin.weight.detach().numpy(), rW)
        assert_close(lin.bias.detach().numpy(), rb)


def test_training_does_not_modify_the_start():
    x, y, weights, biases = good()
    copies = [a.copy() for a in weights + biases]
    bp.train_manual(x, y, weights, biases, 0.1, 3)
    bp.train_torch(x, y.argmax(axis=1), weights, biases, 0.1, 3)
    for a, b in zip(weights + biases, copies):
        np.testing.assert_array_equal(a, b)


# 旧实现：True 被当作 1（训练 1 步、1 个样本），3.0 报出不指明参数的错误
@pytest.mark.parametrize("bad", [True, 3.0])
@pytest.mark.parametrize("train", ["manual", "torch"])
def test_steps_must_be_an_integer(train, bad):
    fn = bp.train_manual if train == "manual" else bp.train_torch
    with pytest.raises(TypeError, match="steps must be an integer"):
        fn(*good(), 0.1, bad)


@pytest.mark.parametrize("bad", ["0.1", True, None])
def test_learning_rate_must_be_a_real_number(bad):
    with pytest.raises(TypeError, match="lr must be a real number"):
        bp.train_manual(*good(), bad, 3)
