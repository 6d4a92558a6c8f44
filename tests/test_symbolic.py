"""Tests of backproplib.symbolic: three symbolic gradients, each against Network.backward, central
differences and autograd, plus exact symbolic identities and the errors on bad input."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
import sympy as sp

import backproplib as bp
from backproplib import symbolic as S

CASES = [([2, 2, 1], "logistic"), ([2, 3, 2], "tanh"), ([3, 2, 2, 1], "logistic"),
         ([2, 2, 2, 2], "tanh"), ([1, 3, 1], "identity")]
METHODS = {"direct": S.direct_gradient, "delta_rule": S.delta_rule_gradient, "matrix": S.matrix_gradient}


def _problem(sizes, act, seed):
    net = bp.Network(sizes, activations=act, init="normal", seed=seed)
    rng = np.random.default_rng(seed + 100)
    X = rng.normal(size=(sizes[0], 5))
    Y = rng.uniform(size=(sizes[-1], 5))
    return net, X, Y


def _max_rel(got, want):
    return max(float(np.max(bp.relative_error(a, b))) for a, b in zip(got, want))


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"{c[1]}-{'-'.join(map(str, c[0]))}")
def symbolic_case(request):
    sizes, act = request.param
    snet = S.symbolic_network(sizes, act)
    grads = {name: method(snet) for name, method in METHODS.items()}
    funcs = {name: S.lambdify_gradient(snet, g) for name, g in grads.items()}
    return sizes, act, snet, grads, funcs


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("seed", [0, 1])
def test_lambdified_gradient_matches_backward(symbolic_case, method, seed):
    sizes, act, snet, grads, funcs = symbolic_case
    net, X, Y = _problem(sizes, act, seed)
    g = net.backward(net.forward(X), Y)
    dW, db = funcs[method](net, X, Y)
    assert [w.shape for w in dW] == [w.shape for w in net.W]
    assert [v.shape for v in db] == [v.shape for v in net.b]
    assert _max_rel(dW + db, g.dW + g.db) < 1e-12


def _autograd_loss(sizes, act):
    f = {"logistic": lambda z: 0.5 * (1.0 + anp.tanh(0.5 * z)),  # written independently of sympy
         "tanh": anp.tanh, "identity": lambda z: z}[act]

    def loss(theta, X, Y):
        A, i = X, 0
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            W = anp.reshape(theta[i:i + n_out * n_in], (n_out, n_in))
            i += n_out * n_in
            b = theta[i:i + n_out]
            i += n_out
            A = f(anp.dot(W, A) + b[:, None])
        return anp.mean(0.5 * anp.sum((A - Y) ** 2, axis=0))

    return loss


def test_symbolic_gradient_matches_autograd_and_central_differences(symbolic_case):
    sizes, act, snet, grads, funcs = symbolic_case
    net, X, Y = _problem(sizes, act, 3)
    dW, db = funcs["direct"](net, X, Y)
    flat = np.concatenate([p.ravel() for pair in zip(dW, db) for p in pair])
    loss = _autograd_loss(sizes, act)
    theta = net.get_params()
    reference = autograd.grad(loss)(theta, X, Y)
    assert np.max(bp.relative_error(flat, reference)) < 1e-12
    numeric = bp.numerical_gradient(lambda t: loss(t, X, Y), theta.copy())
    assert np.max(np.abs(flat - numeric)) < 1e-8


def _pairs(a, b):
    (aW, ab), (bW, bb) = a, b
    return [(x, y) for A, B in zip(aW + ab, bW + bb) for x, y in zip(A, B)]


def test_delta_rule_minus_direct_simplifies_to_zero_logistic():
    snet = S.symbolic_network([2, 2, 1], "logistic")
    pairs = _pairs(S.delta_rule_gradient(snet), S.direct_gradient(snet))
    assert len(pairs) == 9
    assert all(sp.cancel(r - d) == 0 for r, d in pairs)
    r, d = pairs[0]  # dC/dw^1_11, the deepest weight: also with simplify itself
    assert sp.simplify(r - d) == 0


@pytest.mark.parametrize("sizes", [[2, 3, 2], [2, 2, 2, 1]])
def test_delta_rule_minus_direct_is_zero_tanh(sizes):
    snet = S.symbolic_network(sizes, "tanh")
    for r, d in _pairs(S.delta_rule_gradient(snet), S.direct_gradient(snet)):
        assert sp.expand(r - d) == 0


def test_matrix_form_equals_delta_rule_exactly():
    snet = S.symbolic_network([2, 2, 2, 1], "logistic")
    for m, r in _pairs(S.matrix_gradient(snet), S.delta_rule_gradient(snet)):
        assert sp.simplify(m - r) == 0


def test_a_wrong_rule_is_detected():
    """The comparison can fail: dropping f' from the output delta is caught numerically."""
    snet = S.symbolic_network([2, 2, 1], "logistic")
    dW, db = S.delta_rule_gradient(snet)
    wrong = ([M.applyfunc(lambda e: 2 * e) for M in dW], db)
    net, X, Y = _problem([2, 2, 1], "logistic", 0)
    g = net.backward(net.forward(X), Y)
    got, _ = S.lambdify_gradient(snet, wrong)(net, X, Y)
    assert _max_rel(got, g.dW) > 0.1


@pytest.mark.parametrize("name", S.SYMBOLIC_ACTIVATIONS)
def test_derivative_from_output_is_the_derivative(name):
    z = sp.Symbol("z", real=True)
    f = S.activation_function(name)
    assert sp.simplify(sp.diff(f(z), z) - S.derivative_from_output(name, f(z))) == 0


def test_logistic_values_and_network_symbols():
    z = sp.Symbol("z")
    assert sp.simplify((S.logistic(z) - (sp.tanh(z / 2) + 1) / 2).rewrite(sp.exp)) == 0
    assert S.logistic(sp.Integer(0)) == sp.Rational(1, 2)
    snet = S.symbolic_network([2, 3, 1])
    assert snet.W[0].shape == (3, 2) and snet.W[1].shape == (1, 3) and snet.b[0].shape == (3, 1)
    assert str(snet.W[0][2, 1]) == "w^{1}_{32}"  # row j = 3 (output unit), column k = 2 (input unit)
    assert str(snet.b[1][0]) == "b^{2}_{1}"
    assert len(snet.params) == 13 and snet.L == 2
    assert sp.simplify(snet.loss - (snet.a[2][0] - snet.t[0]) ** 2 / 2) == 0
    assert str(S.symbolic_network([10, 1]).W[0][0, 9]) == "w^{1}_{1,10}"


def test_without_bias_matches_a_network_with_zero_biases():
    snet = S.symbolic_network([2, 2, 1], "logistic", bias=False)
    assert all(v == 0 for b in snet.b for v in b) and len(snet.params) == 6
    net, X, Y = _problem([2, 2, 1], "logistic", 0)
    for b in net.b:
        b[:] = 0.0
    g = net.backward(net.forward(X), Y)
    dW, db = S.lambdify_gradient(snet, S.delta_rule_gradient(snet))(net, X, Y)
    assert _max_rel(dW, g.dW) < 1e-12
    assert all(np.all(v == 0) for v in db)


def test_substitutions_put_network_numbers_on_symbols():
    snet = S.symbolic_network([2, 2, 1])
    net, X, Y = _problem([2, 2, 1], "logistic", 0)
    values = S.substitutions(snet, net, X[:, 0], Y[:, 0])
    assert values[snet.W[0][1, 0]] == net.W[0][1, 0]
    assert values[snet.b[1][0]] == net.b[1][0]
    assert values[snet.x[1]] == X[1, 0] and values[snet.t[0]] == Y[0, 0]
    out = float(snet.a[-1][0].subs(values))
    assert out == pytest.approx(net.predict(X[:, :1])[0, 0], rel=1e-14)
    dW, _ = S.direct_gradient(snet)
    gW = net.backward(net.forward(X[:, :1]), Y[:, :1]).dW
    assert float(dW[0][0, 1].subs(values)) == pytest.approx(gW[0][0, 1], rel=1e-12)


@pytest.mark.parametrize("sizes, err, match", [
    ([2], ValueError, "at least one layer"),
    ([2, 0], ValueError, r"sizes\[1\] must be positive"),
    ([2, 1.5], TypeError, r"sizes\[1\] must be an int"),
    ("21", TypeError, "sequence of ints"),
    (3, TypeError, "sequence of ints"),
])
def test_bad_sizes(sizes, err, match):
    with pytest.raises(err, match=match):
        S.symbolic_network(sizes)


def test_bad_activation():
    with pytest.raises(ValueError, match="unknown symbolic activation 'relu'; valid names are: logistic"):
        S.symbolic_network([2, 1], "relu")
    with pytest.raises(TypeError, match="must be a name"):
        S.activation_function(3)


def test_bad_pairs_and_shapes():
    snet = S.symbolic_network([2, 2, 1])
    net, X, Y = _problem([2, 2, 1], "logistic", 0)
    with pytest.raises(TypeError, match="expected a SymbolicNetwork"):
        S.direct_gradient("not a network")
    with pytest.raises(TypeError, match="expected a backproplib Network"):
        S.substitutions(snet, object())
    with pytest.raises(ValueError, match=r"sizes \[2, 3, 1\] but the symbolic network has \[2, 2, 1\]"):
        S.substitutions(snet, bp.Network([2, 3, 1]))
    with pytest.raises(ValueError, match="activations \\['tanh', 'tanh'\\]"):
        S.substitutions(snet, bp.Network([2, 2, 1], activations="tanh"))
    with pytest.raises(ValueError, match=r"x has shape \(3,\), expected \(2,\)"):
        S.substitutions(snet, net, np.zeros(3))
    g = S.lambdify_gradient(snet, S.matrix_gradient(snet))
    with pytest.raises(ValueError, match=r"X must have shape \(2, m\).*got X \(5, 2\)"):
        g(net, X.T, Y)
    with pytest.raises(ValueError, match="must hold 2 weight and 2 bias gradients"):
        S.lambdify_gradient(snet, ([], []))
