"""Convolution and max-pooling: forward passes against a naive loop, backward passes against
autograd (on that loop) and central differences, on random shapes with the edge cases (batch 1,
kernel size 1, stride > 1, padding); the ConvNet's gradient; clear errors for bad input."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import backproplib as bp
from backproplib.architectures import convolution as C
from backproplib.architectures import fitting


def naive_conv(x, K, b, stride, padding):
    """The definition, one output position at a time (autograd.numpy, so it can be differentiated)."""
    d = K.ndim - 2
    xp = anp.pad(x, [(0, 0)] + [(padding, padding)] * d + [(0, 0)], mode="constant")
    k = K.shape[2:]
    out = [(n + 2 * padding - kk) // stride + 1 for n, kk in zip(x.shape[1:-1], k)]
    if d == 1:
        cols = [anp.einsum("ocj,cjm->om", K, xp[:, i * stride : i * stride + k[0], :])
                for i in range(out[0])]
        return anp.stack(cols, axis=1) + anp.reshape(b, (-1, 1, 1))
    rows = []
    for i in range(out[0]):
        cols = [anp.einsum("ocjl,cjlm->om", K,
                           xp[:, i * stride : i * stride + k[0], j * stride : j * stride + k[1], :])
                for j in range(out[1])]
        rows.append(anp.stack(cols, axis=1))
    return anp.stack(rows, axis=1) + anp.reshape(b, (-1, 1, 1, 1))


def random_conv(seed):
    r = np.random.default_rng(seed)
    d = 1 + seed % 2
    stride = [1, 2, 3][seed % 3]
    padding = [0, 1, 2][(seed // 2) % 3]
    k = [1, 2, 3][(seed // 3) % 3]
    m = [1, 2][seed % 2 == 0]
    c_in, c_out = (int(v) for v in r.integers(1, 4, size=2))
    spatial = tuple(int(v) for v in r.integers(max(k, 2), 8, size=d))
    x = r.normal(size=(c_in, *spatial, m))
    K = r.normal(size=(c_out, c_in, *(k,) * d))
    b = r.normal(size=c_out)
    return x, K, b, stride, padding


@pytest.mark.parametrize("seed", range(18))
def test_conv_forward_and_backward_match_the_loop_and_autograd(seed):
    x, K, b, s, p = random_conv(seed)
    y = C.conv(x, K, b, s, p)
    np.testing.assert_allclose(y, naive_conv(x, K, b, s, p), rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(seed + 100).normal(size=y.shape)
    dx, dK, db = C.conv_backward(g, x, K, s, p)
    loss = lambda x, K, b: anp.sum(naive_conv(x, K, b, s, p) * g)  # noqa: E731
    for got, i in ((dx, 0), (dK, 1), (db, 2)):
        ref = autograd.grad(loss, i)(x, K, b)
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12 * np.abs(ref).max())


@pytest.mark.parametrize("seed", [3, 10])
def test_conv_backward_matches_richardson_differences(seed):
    x, K, b, s, p = random_conv(seed)
    g = np.random.default_rng(seed).normal(size=C.conv(x, K, b, s, p).shape)
    dx, dK, db = C.conv_backward(g, x, K, s, p)
    for got, arr in ((dx, x), (dK, K), (db, b)):
        num = bp.numerical_gradient(lambda _: float(np.sum(C.conv(x, K, b, s, p) * g)), arr,
                                    eps=1e-4, method="richardson")
        np.testing.assert_allclose(got, num, rtol=1e-7, atol=1e-9 * np.abs(num).max())


def test_conv1d_and_conv2d_name_their_shapes():
    x, K = np.zeros((2, 5, 1)), np.zeros((3, 2, 2))
    assert C.conv1d(x, K).shape == (3, 4, 1)
    assert C.conv2d(np.zeros((2, 5, 6, 3)), np.zeros((4, 2, 3, 3)), stride=2, padding=1).shape \
        == (4, 3, 3, 3)
    with pytest.raises(ValueError, match=r"conv1d needs a kernel of shape \(C_out, C_in, k\)"):
        C.conv1d(x, np.zeros((3, 2, 2, 2)))
    with pytest.raises(ValueError, match="conv2d needs a kernel"):
        C.conv2d(x, K)


def test_bad_convolution_inputs_get_clear_errors():
    x = np.zeros((3, 6, 6, 2))
    with pytest.raises(ValueError, match=r"expects C_in=2 input channels, the input of shape "
                                         r"\(3, 6, 6, 2\) has 3"):
        C.conv(x, np.zeros((4, 2, 3, 3)))
    with pytest.raises(ValueError, match="padding must be an int >= 0, got -1"):
        C.conv(x, np.zeros((4, 3, 3, 3)), padding=-1)
    with pytest.raises(ValueError, match="stride must be a positive int, got 0"):
        C.conv(x, np.zeros((4, 3, 3, 3)), stride=0)
    with pytest.raises(ValueError, match="a kernel of size 9 does not fit an input of size 6"):
        C.conv(x, np.zeros((4, 3, 9, 9)))
    with pytest.raises(ValueError, match=r"needs an input of shape \(C_in, H, W, m\)"):
        C.conv(np.zeros((3, 6, 2)), np.zeros((4, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"bias must have shape \(C_out,\) = \(4,\)"):
        C.conv(x, np.zeros((4, 3, 3, 3)), b=np.zeros(3))
    with pytest.raises(ValueError, match="output gradient must have the output's shape"):
        C.conv_backward(np.zeros((4, 3, 3, 2)), x, np.zeros((4, 3, 3, 3)))
    with pytest.raises(ValueError, match="NaN or inf"):
        C.conv(np.full((1, 3, 1), np.inf), np.zeros((1, 1, 2)))


def naive_pool(x, size, stride):
    """Max over each window, written as a stack of shifted strided slices (autograd.numpy)."""
    d = x.ndim - 2
    out = [(n - size) // stride + 1 for n in x.shape[1:-1]]
    if d == 1:
        parts = [x[:, j : j + stride * (out[0] - 1) + 1 : stride] for j in range(size)]
    else:
        parts = [x[:, i : i + stride * (out[0] - 1) + 1 : stride,
                   j : j + stride * (out[1] - 1) + 1 : stride] for i in range(size) for j in range(size)]
    return anp.max(anp.stack(parts), axis=0)


@pytest.mark.parametrize("shape,size,stride", [((2, 6, 6, 3), 2, None), ((1, 7, 5, 1), 2, None),
                                               ((2, 5, 5, 2), 3, 1), ((3, 9, 2), 3, 2),
                                               ((1, 4, 1), 1, None)])
def test_maxpool_routes_the_gradient_to_the_maximum(shape, size, stride):
    r = np.random.default_rng(sum(shape))
    x = r.normal(size=shape)
    y, cache = C.maxpool(x, size, stride)
    s = size if stride is None else stride
    np.testing.assert_array_equal(y, naive_pool(x, size, s))
    g = r.normal(size=y.shape)
    ref = autograd.grad(lambda x: anp.sum(naive_pool(x, size, s) * g))(x)
    np.testing.assert_allclose(C.maxpool_backward(g, cache), ref, rtol=1e-12, atol=1e-15)
    num = bp.numerical_gradient(lambda _: float(np.sum(C.maxpool(x, size, stride)[0] * g)), x,
                                eps=1e-6)
    np.testing.assert_allclose(C.maxpool_backward(g, cache), num, rtol=1e-7, atol=1e-8)


def test_bad_pooling_inputs():
    with pytest.raises(ValueError, match="pool size must be a positive int"):
        C.maxpool(np.zeros((1, 4, 4, 1)), 0)
    with pytest.raises(ValueError, match="does not fit an input of size 2"):
        C.maxpool(np.zeros((1, 2, 2, 1)), 3)
    y, cache = C.maxpool(np.zeros((1, 4, 4, 1)))
    with pytest.raises(ValueError, match=r"pooled shape \(1, 2, 2, 1\)"):
        C.maxpool_backward(np.zeros((1, 4, 4, 1)), cache)


def reference_convnet_loss(theta, net, X, y):
    """The ConvNet's loss with the naive convolution and pooling, in autograd.numpy."""
    i, A = 0, X.reshape(*net.input_shape, X.shape[-1])
    for K in net.K:
        Kt = anp.reshape(theta[i : i + K.size], K.shape)
        bt = theta[i + K.size : i + K.size + K.shape[0]]
        i += K.size + K.shape[0]
        A = naive_pool(anp.maximum(naive_conv(A, Kt, bt, 1, net.kernel // 2), 0.0), 2, 2)
    A = anp.reshape(A, (-1, X.shape[-1]))
    for n_in, n_out, act in zip(net.head.sizes[:-1], net.head.sizes[1:], net.head.activations):
        W = anp.reshape(theta[i : i + n_in * n_out], (n_out, n_in))
        b = theta[i + n_in * n_out : i + n_in * n_out + n_out]
        i += n_in * n_out + n_out
        Z = anp.dot(W, A) + anp.reshape(b, (-1, 1))
        A = anp.tanh(Z) if act.name == "tanh" else Z
    Z = Z - anp.max(Z, axis=0, keepdims=True)
    logp = Z - anp.log(anp.sum(anp.exp(Z), axis=0, keepdims=True))
    return -anp.mean(logp[y, np.arange(X.shape[-1])])


@pytest.mark.parametrize("channels,hidden,m", [([3], (), 1), ([2, 3], (5,), 4)])
def test_convnet_gradient_matches_autograd_and_differences(channels, hidden, m):
    r = np.random.default_rng(len(channels))
    net = C.ConvNet((1, 6, 6), channels=channels, kernel=3, hidden=hidden, n_classes=4, seed=1)
    X, y = r.normal(size=(36, m)), r.integers(0, 4, size=m)
    loss, grads = net.loss_and_gradient(X, y)
    theta = net.get_params()
    assert loss == pytest.approx(float(reference_convnet_loss(theta, net, X, y)), rel=1e-12)
    ref = autograd.grad(reference_convnet_loss)(theta, net, X, y)
    np.testing.assert_allclose(grads.flat(), ref, rtol=1e-10, atol=1e-12 * np.abs(ref).max())

    def f(t):
        net.set_params(t)
        return net.loss(X, y)

    num = bp.numerical_gradient(f, theta.copy(), eps=1e-4, method="richardson")
    net.set_params(theta)
    np.testing.assert_allclose(grads.flat(), num, rtol=1e-7, atol=1e-9 * np.abs(num).max())


def test_convnet_trains_with_a_core_optimiser():
    r = np.random.default_rng(0)
    X = r.normal(size=(1, 6, 6, 40))
    y = (X[0, :3].sum(axis=(0, 1)) > X[0, 3:].sum(axis=(0, 1))).astype(int)  # top or bottom half
    net = C.ConvNet((1, 6, 6), channels=[2], n_classes=2, seed=0)
    h = fitting.fit(net, X, y, 30, bp.Adam(0.05), batch_size=10)
    assert h.loss[-1] < 0.5 * h.loss[0]
    assert net.accuracy(X, y) >= 0.9


def test_bad_convnet_arguments():
    with pytest.raises(ValueError, match="kernel must be odd"):
        C.ConvNet((1, 8, 8), kernel=2)
    with pytest.raises(ValueError, match=r"input_shape is \(C, H, W\)"):
        C.ConvNet((8, 8))
    with pytest.raises(ValueError, match="too many blocks"):
        C.ConvNet((1, 4, 4), channels=[2, 2, 2])
    net = C.ConvNet((1, 8, 8), channels=[2])
    with pytest.raises(ValueError, match=r"images of shape \(1, 8, 8, m\) or columns of shape "
                                         r"\(64, m\), got \(63, 5\)"):
        net.predict(np.zeros((63, 5)))


def test_convnet_input_gradient_matches_autograd():
    r = np.random.default_rng(7)
    net = C.ConvNet((1, 6, 6), channels=[2, 2], kernel=3, n_classes=3, seed=2)
    X, y = r.normal(size=(36, 3)), r.integers(0, 3, size=3)
    theta = net.get_params()
    ref = autograd.grad(lambda X: reference_convnet_loss(theta, net, X, y))(X)
    got = net.input_gradient(X, y)
    assert got.shape == (1, 6, 6, 3)
    np.testing.assert_allclose(got.reshape(36, 3), ref, rtol=1e-10, atol=1e-12 * np.abs(ref).max())
