"""The article's 2-3-2 example by hand: every partial derivative from the
scalar chain rule, with plain Python loops."""

from __future__ import annotations

import math

def _sig(t):
    if t < -700.0:  # exp(-t) 会上溢；此时 1 + e^t 就是 1
        return math.exp(t)
    return 1.0 / (1.0 + math.exp(-t))


# --8<-- [start:hand_gradients]
def hand_gradients(x, y, W1, b1, W2, b2):
    """One sample, sigmoid everywhere, MSE: every partial derivative
    from the scalar chain rule, with plain Python loops."""
    n_in, n_hid, n_out = len(x), len(b1), len(b2)
    # 前向
    z1 = [sum(W1[j][i] * x[i] for i in range(n_in)) + b1[j]
          for j in range(n_hid)]
    h = [_sig(t) for t in z1]
    z2 = [sum(W2[k][j] * h[j] for j in range(n_hid)) + b2[k]
          for k in range(n_out)]
    o = [_sig(t) for t in z2]
    loss = sum((o[k] - y[k]) ** 2 for k in range(n_out)) / n_out
    # 输出层：∂L/∂z2_k = ∂L/∂o_k · ∂o_k/∂z2_k
    d2 = [2 * (o[k] - y[k]) / n_out * o[k] * (1 - o[k])
          for k in range(n_out)]
    gW2 = [[d2[k] * h[j] for j in range(n_hid)] for k in range(n_out)]
    gb2 = d2[:]
    # 隐藏层：h_j 通过每个输出 k 影响损失，把这些路径加起来
    d1 = [sum(d2[k] * W2[k][j] for k in range(n_out)) * h[j] * (1 - h[j])
          for j in range(n_hid)]
    gW1 = [[d1[j] * x[i] for i in range(n_in)] for j in range(n_hid)]
    gb1 = d1[:]
    return loss, gW1, gb1, gW2, gb2
# --8<-- [end:hand_gradients]
