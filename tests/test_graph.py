"""The graph engine (reverse mode), forward mode and finite differences, against independent references.

References: central finite differences in float64 (``bp.numerical_gradient``, which knows nothing of the
graph), ``autograd`` (a separate autodiff package, with the network written directly in
``autograd.numpy`` below) and the matrix-form ``bp.Network.backward``.
"""

from __future__ import annotations

import json
from pathlib import Path

import autograd
import numpy as np
import pytest

import backproplib as bp
from backproplib.autodiff import forward_mode as fm
from backproplib.autodiff import graph as G
from backproplib.autodiff import networks as N
from backproplib.autodiff.graph import Node, backward, constant
from backproplib.autodiff.opcount import counting, dense_forward_madds, record

from .conftest import network_reference_loss, random_case

ROOT = Path(__file__).resolve().parent.parent


def num_grad(f, x):
    """Central differences of a scalar function of an array (a copy of ``x`` is perturbed)."""
    return bp.numerical_gradient(lambda v: float(f(v)), np.array(x, dtype=float))


# ----------------------------------------------------------------------------- reuse and ordering
def test_node_used_twice_accumulates():
    a = Node(3.0)
    b = a + a
    c = b + b
    backward(c)
    assert float(a.grad) == 4.0
    assert float(b.grad) == 2.0


def test_square_by_self_multiplication():
    a = Node(-1.5)
    backward(a * a * a)
    assert float(a.grad) == pytest.approx(3 * 1.5**2, rel=1e-15)


def test_reused_interior_node_needs_topological_order():
    # t is consumed by s and by out: a greedy breadth-first order would pass t's adjoint on before
    # s has contributed to it, and get 2x instead of 8x.
    x = Node(1.25)
    t = x * x
    s = t * 3.0
    out = t + s
    backward(out)
    assert float(x.grad) == pytest.approx(8 * 1.25, rel=1e-15)
    order = G.topological_order(out)
    pos = {id(n): i for i, n in enumerate(order)}
    for n in order:
        for p in n.parents:
            assert pos[id(p)] < pos[id(n)]


def test_deep_chain_does_not_recurse():
    x = Node(0.5)
    c = x
    for _ in range(100_000):
        c = c + x
    backward(c)
    assert float(x.grad) == 100_001.0
    assert len(G.topological_order(c)) == 100_001  # the leaf x and the 100,000 sums


def test_repeated_backward_does_not_double_count():
    x = Node(2.0)
    y = x * x
    backward(y)
    backward(y)
    assert float(x.grad) == 4.0


def test_constants_get_no_adjoint():
    x = Node(2.0)
    k = constant(5.0)
    backward(x * k)
    assert k.grad is None
    assert float(x.grad) == 5.0


# ----------------------------------------------------------------------------- every op vs differences
SHAPES = [((3, 4), (3, 4)), ((3, 4), (3, 1)), ((3, 4), (4,)), ((3, 4), ()), ((1, 4), (3, 1))]


@pytest.mark.parametrize("sa,sb", SHAPES)
@pytest.mark.parametrize("op", ["+", "-", "*"])
def test_elementwise_ops_with_broadcasting(rng, op, sa, sb):
    A0, B0 = rng.normal(size=sa), rng.normal(size=sb)
    W = rng.normal(size=np.broadcast_shapes(sa, sb))  # a random linear read-out of the result
    fn = {"+": np.add, "-": np.subtract, "*": np.multiply}[op]
    a, b = Node(A0), Node(B0)
    out = ({"+": G.add, "-": G.sub, "*": G.mul}[op](a, b) * W).sum()
    backward(out)
    assert a.grad.shape == A0.shape and b.grad.shape == B0.shape
    np.testing.assert_allclose(a.grad, num_grad(lambda v: np.sum(fn(v, B0) * W), A0), rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(b.grad, num_grad(lambda v: np.sum(fn(A0, v) * W), B0), rtol=1e-8, atol=1e-9)


def test_bias_column_broadcast_sums_over_the_batch(rng):
    Wv, X, bv = rng.normal(size=(3, 2)), rng.normal(size=(2, 5)), rng.normal(size=3)
    W, b = Node(Wv), Node(bv)
    Z = W @ constant(X) + G.column(b)
    backward(Z.tanh().sum())
    expected = (1 - np.tanh(Wv @ X + bv[:, None]) ** 2).sum(axis=1)
    np.testing.assert_allclose(b.grad, expected, rtol=1e-13)
    assert b.grad.shape == (3,)


def test_matmul_sum_reshape(rng):
    A0, B0 = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    R = rng.normal(size=(2,))

    def f(A, B):
        return np.sum(np.sum(A @ B, axis=0) * R)

    a, b = Node(A0), Node(B0)
    out = (G.reshape(G.total(a @ b, axis=0), (1, 2)) * R.reshape(1, 2)).sum()
    backward(out)
    np.testing.assert_allclose(a.grad, num_grad(lambda v: f(v, B0), A0), rtol=1e-8)
    np.testing.assert_allclose(b.grad, num_grad(lambda v: f(A0, v), B0), rtol=1e-8)


@pytest.mark.parametrize("name", sorted(bp.ACTIVATIONS))
def test_activations_backward_and_forward_mode(rng, name):
    Z0 = rng.normal(size=(4, 3))
    R = rng.normal(size=(4, 3))
    f = bp.get_activation(name).f
    z = Node(Z0)
    out = (G.activation(z, name) * R).sum()
    backward(out)
    expected = num_grad(lambda v: np.sum(f(v) * R), Z0)
    np.testing.assert_allclose(z.grad, expected, rtol=1e-7, atol=1e-9)
    T = rng.normal(size=Z0.shape)
    np.testing.assert_allclose(fm.jvp(out, {z: T}), np.sum(expected * T), rtol=1e-7)


def test_vector_jacobian_product_with_a_seed(rng):
    A0, x0 = rng.normal(size=(3, 4)), rng.normal(size=(4, 1))
    seed = rng.normal(size=(3, 1))
    x = Node(x0)
    y = (constant(A0) @ x).tanh()
    backward(y, seed=seed)
    J = np.diag((1 - np.tanh(A0 @ x0) ** 2).ravel()) @ A0
    np.testing.assert_allclose(x.grad, J.T @ seed, rtol=1e-13)


def test_evaluate_recomputes_after_a_leaf_changes():
    x = Node(2.0)
    y = x * x + 1.0
    x.value[...] = 3.0
    assert float(G.evaluate(y)) == 10.0


# ----------------------------------------------------------------------------- networks
def random_net(seed):
    return random_case(seed, max_depth=4, max_width=8, max_m=6)


@pytest.mark.parametrize("seed", range(24))
def test_graph_network_matches_matrix_form_and_autograd(seed):
    net, X, Y = random_net(seed)
    g = N.network_graph(net, X, Y)
    backward(g.loss)
    loss, grads = net.loss_and_gradient(X, Y)
    assert float(g.loss.value) == pytest.approx(loss, rel=1e-12)
    ours, theirs = g.gradient(), grads.flat()
    # entrywise relative error; entries a million times smaller than the largest are compared at
    # that scale (their last bits come from cancellation, in every implementation)
    floor = 1e-6 * np.abs(theirs).max()
    assert bp.relative_error(ours, theirs, floor).max() < 1e-10
    ag = autograd.grad(network_reference_loss)(net.get_params(), net, X, Y)
    assert bp.relative_error(ours, ag, floor).max() < 1e-10


def test_network_gradient_shapes():
    net, X, Y = random_net(4)
    loss, dW, db = N.network_gradient(net, X, Y)
    assert [w.shape for w in dW] == [w.shape for w in net.W]
    assert [b.shape for b in db] == [b.shape for b in net.b]
    assert loss == pytest.approx(net.loss(X, Y), rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_forward_mode_and_finite_differences_agree_with_reverse(seed):
    net, X, Y = random_net(seed + 30)
    g = N.network_graph(net, X, Y)
    backward(g.loss)
    rev = g.gradient()
    fwd = np.concatenate([t.ravel() for t in fm.gradient(g.loss, g.params)])
    assert bp.relative_error(fwd, rev).max() < 1e-10
    cen = np.concatenate([t.ravel() for t in fm.finite_differences(g.loss, g.params)])
    np.testing.assert_allclose(cen, rev, rtol=1e-5, atol=1e-8)
    one = np.concatenate([t.ravel() for t in fm.finite_differences(g.loss, g.params, 1e-7, "forward")])
    np.testing.assert_allclose(one, rev, rtol=1e-3, atol=1e-6)
    # the graph is left holding the values at theta
    assert float(g.loss.value) == pytest.approx(net.loss(X, Y), rel=1e-13)


# ----------------------------------------------------------------------------- the cost model
def test_matmul_counts_n_k_m():
    with counting() as t:
        C = Node(np.ones((3, 4))) @ Node(np.ones((4, 5)))
    assert t.forward == 3 * 4 * 5
    with counting() as t:
        backward(C.sum())
    assert t.backward == 2 * 3 * 4 * 5  # G B^T and A^T G; the sum's adjoint is a copy


@pytest.mark.parametrize("seed", range(10))
def test_cheap_gradient_ratio_at_most_three_for_dense_nets(seed):
    r = np.random.default_rng(seed)
    sizes = [int(n) for n in r.integers(1, 60, size=int(r.integers(2, 6)))]
    acts = ["tanh", "logistic", "relu"][seed % 3]
    net = bp.Network(sizes, activations=acts, seed=seed)
    m = int(r.integers(1, 40))
    X, Y = r.normal(size=(sizes[0], m)), r.normal(size=(sizes[-1], m))
    with counting() as f:
        g = N.network_graph(net, X, Y)
    with counting() as b:
        backward(g.loss)
    assert f.forward >= dense_forward_madds(sizes, m)
    assert (f.forward + b.backward) / f.forward <= 3.0


def test_forward_mode_and_difference_counts_follow_the_per_pass_counts():
    net = bp.Network([3, 4, 2], activations="tanh", seed=0)
    X, Y = np.ones((3, 5)), np.zeros((2, 5))
    with counting() as f:
        g = N.network_graph(net, X, Y)
    per_tensor = []
    for p in g.params:
        with counting() as t:
            fm.jvp(g.loss, {p: np.ones(p.shape)})
        per_tensor.append(t.tangent * p.value.size)
    with counting() as t:
        fm.gradient(g.loss, g.params)
    assert t.tangent == sum(per_tensor)
    n = net.n_params
    with counting() as t:
        fm.finite_differences(g.loss, g.params)
    assert t.forward == 2 * n * f.forward + 2 * n
    with counting() as t:
        fm.finite_differences(g.loss, g.params, scheme="forward")
    assert t.forward == (n + 1) * f.forward + 2 * n


def test_nested_counting_blocks_both_count():
    with counting() as outer:
        with counting() as inner:
            Node(1.0) + 2.0
        Node(1.0) * 2.0
    assert (inner.forward, outer.forward) == (1, 2)


# ----------------------------------------------------------------------------- stored measurements
def test_stored_cost_file_structure_and_counts():
    from backproplib.experiments.gradient_cost import gradient_costs

    data = json.loads((ROOT / "benchmarks" / "results" / "cost.json").read_text())
    assert set(data) >= {"batch", "sizes", "rows", "env"}
    assert len(data["rows"]) >= 6
    params = [row["n_params"] for row in data["rows"]]
    assert params == sorted(params) and params[0] < 100 and params[-1] >= 1_000_000
    for row in data["rows"]:
        assert set(row) >= {"sizes", "n_params", "counts", "seconds"}
        assert set(row["counts"]) == set(row["seconds"]) == {"forward", "reverse", "forward_mode",
                                                             "finite_differences"}
        assert all(v > 0 for v in row["seconds"].values())
    small = data["rows"][0]
    again = gradient_costs(small["sizes"], data["batch"])  # what bench_cost stores, re-counted now
    assert {k: again[k] for k in small["counts"]} == small["counts"]
    assert again["n_params"] == small["n_params"]


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("make, exc, words", [
    (lambda: Node("abc"), TypeError, "numeric"),
    (lambda: Node(None), TypeError, "numeric"),
    (lambda: Node(Node(1.0)), TypeError, "not another Node"),
    (lambda: Node(np.ones((2, 3))) @ Node(np.ones((2, 3))), ValueError, "(2, 3) @ (2, 3)"),
    (lambda: Node(np.ones(3)) @ Node(np.ones((3, 1))), ValueError, "shape (n, k)"),
    (lambda: Node(np.ones((3, 4))) + Node(np.ones(3)), ValueError, "column(b)"),
    (lambda: G.column(Node(np.ones((3, 1)))), ValueError, "shape (n,)"),
    (lambda: G.activation(Node(1.0), "sigmoidal"), ValueError, "valid names"),
    (lambda: G.total(Node(np.ones(3)), axis=2), ValueError, "out of range"),
    (lambda: G.reshape(Node(np.ones(3)), (2, 2)), ValueError, "cannot reshape"),
    (lambda: Node(1.0) / Node(2.0), TypeError, "divide by a number"),
    (lambda: G.fused_loss(Node(np.ones((2, 3))), np.ones((2, 3)), "half_squared_error"),
     ValueError, "paired"),
    (lambda: G.fused_loss(Node(np.ones((2, 3))), np.ones((3, 2)), "cross_entropy"), ValueError, "(3, 2)"),
    (lambda: G.half_squared_error(Node(np.ones((2, 3))), np.ones(3)), ValueError, "same shape"),
    (lambda: backward(Node(np.ones(3))), ValueError, "needs a seed"),
    (lambda: backward(Node(np.ones(3)), seed=np.ones(2)), ValueError, "expected the output's shape"),
    (lambda: G.topological_order(3.0), TypeError, "needs a Node"),
    (lambda: fm.jvp(Node(1.0) * 2.0, {Node(1.0): 1.0}), ValueError, "not part of the graph"),
    (lambda: fm.jvp(Node(1.0) * 2.0, {"x": 1.0}), TypeError, "map Nodes"),
    (lambda: record("sideways", 1), ValueError, "valid kinds"),
    (lambda: dense_forward_madds([3], 1), ValueError, "two positive"),
])
def test_bad_input_raises_clear_errors(make, exc, words):
    with counting():  # so that record() validates its kind
        with pytest.raises(exc) as info:
            make()
    assert words in str(info.value)


def test_bad_tangent_and_params():
    x = Node(np.ones(3))
    y = (x * x).sum()
    with pytest.raises(ValueError, match=r"shape \(2,\), expected \(3,\)"):
        fm.jvp(y, {x: np.ones(2)})
    with pytest.raises(ValueError, match="must be leaves"):
        fm.gradient(y, [x * x])
    with pytest.raises(ValueError, match="scalar output"):
        fm.gradient(x * x, [x])
    with pytest.raises(ValueError, match="valid schemes"):
        fm.finite_differences(y, [x], scheme="backward")
    with pytest.raises(ValueError, match="positive"):
        fm.finite_differences(y, [x], eps=0.0)
    with pytest.raises(TypeError, match="params must be Nodes"):
        fm.gradient(y, [np.ones(3)])


# ----------------------------------------------------------------------------- drawing
def test_draw_graph_has_one_box_per_visible_node():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from backproplib.teaching.graph_plot import draw_graph, format_value

    net = bp.Network([2, 2, 1], activations="logistic", init="uniform", seed=0)
    g = N.network_graph(net, np.array([[1.0], [0.0]]), np.array([[1.0]]))
    backward(g.loss)
    ax = draw_graph(g.loss, digits=2, title="2-2-1")
    visible = [n for n in G.topological_order(g.loss) if n.op != "reshape"]
    boxes = [t for t in ax.texts if not isinstance(t, matplotlib.text.Annotation)]
    arrows = [t for t in ax.texts if isinstance(t, matplotlib.text.Annotation)]
    assert len(boxes) == len(visible)
    assert len(arrows) == sum(len(n.parents) for n in visible)  # reshapes pass their one edge through
    assert any("ḡ = 1" in t.get_text() for t in boxes)  # the loss's adjoint
    plt.close(ax.figure)
    assert format_value(np.array(0.5)) == "0.5"
    assert format_value(np.arange(6.0).reshape(2, 3)) == "shape 2×3"
    with pytest.raises(TypeError, match="needs a Node"):
        draw_graph(3.0)


def test_leaf_adjoints_are_independent_writable_arrays():
    a, b = Node(np.ones((2, 2))), Node(np.ones((2, 2)))
    backward((a + b).sum())  # the sum's adjoint is a read-only view, shared by a and b through +
    assert a.grad is not b.grad and a.grad.flags.writeable
    a.grad *= 5.0
    assert np.all(b.grad == 1.0)


def test_arrays_and_numbers_on_the_left_become_constants(rng):
    W0 = rng.normal(size=(2, 3))
    x = Node(rng.normal(size=(3, 1)))
    out = (np.ones((2, 1)) + W0 @ x) * 2.0 - 1.0
    backward(out.sum())
    np.testing.assert_allclose(x.grad, 2.0 * W0.T @ np.ones((2, 1)), rtol=1e-14)
    assert isinstance(out, Node) and out.shape == (2, 1)


def test_jvp_of_a_vector_output_matches_the_jacobian(rng):
    A0, x0, t = rng.normal(size=(3, 4)), rng.normal(size=(4, 1)), rng.normal(size=(4, 1))
    x = Node(x0)
    y = (constant(A0) @ x).tanh()
    J = np.diag((1 - np.tanh(A0 @ x0) ** 2).ravel()) @ A0
    np.testing.assert_allclose(fm.jvp(y, {x: t}), J @ t, rtol=1e-13)


def test_draw_graph_in_parts():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from backproplib.teaching.graph_plot import draw_graph

    net = bp.Network([2, 2, 1], activations="logistic", init="uniform", seed=0)
    g = N.network_graph(net, np.array([[1.0], [0.0]]), np.array([[1.0]]))
    backward(g.loss)
    ax = draw_graph(g.loss, inputs=[g.a[-1]], labels={g.a[-1]: "a2"})
    boxes = [t.get_text() for t in ax.texts if not isinstance(t, matplotlib.text.Annotation)]
    assert len(boxes) == 7  # a2, y, difference, square, sum, 1/(2m), C
    assert any(b.startswith("a2\n") for b in boxes)
    plt.close(ax.figure)


# ---------------------------------------------------------------- adjoints as graphs (create_graph)
@pytest.mark.parametrize("acts, loss", [(["tanh", "identity"], "half_squared_error"),
                                        (["logistic", "softmax"], "cross_entropy"),
                                        (["relu", "logistic"], "binary_cross_entropy"),
                                        (["tanh", "tanh", "logistic"], "half_squared_error")])
def test_hessian_vector_products_by_double_backward_and_forward_over_reverse(acts, loss):
    """backward(create_graph=True) leaves the gradient as a graph: differentiating g.v again (reverse
    over reverse) or pushing a tangent through it (forward over reverse) gives H v, as autograd."""
    import autograd

    from tests.conftest import network_reference_loss, random_targets

    r = np.random.default_rng(7)
    sizes = [3, 4, 2] if len(acts) == 2 else [3, 4, 3, 2]
    if loss == "binary_cross_entropy":
        sizes[-1] = 1
    net = bp.Network(sizes, activations=acts, loss=loss, init="normal", seed=1)
    X = r.normal(size=(sizes[0], 5))
    Y = random_targets(r, loss, sizes[-1], 5)
    theta = net.get_params()
    v = r.normal(size=theta.size)
    Hv_ref = autograd.grad(lambda t: np.dot(autograd.grad(network_reference_loss)(t, net, X, Y), v))(theta)

    g = N.network_graph(net, X, Y)
    G.backward(g.loss, create_graph=True)
    grads = [p.grad for p in g.params]
    np.testing.assert_allclose(np.concatenate([q.value.ravel() for q in grads]),
                               net.loss_and_gradient(X, Y)[1].flat(), rtol=1e-12, atol=1e-14)
    sizes_p = [p.value.size for p in g.params]
    vs = np.split(v, np.cumsum(sizes_p)[:-1])
    gv = None
    for q, vp, p in zip(grads, vs, g.params):
        term = (q * vp.reshape(p.shape)).sum()
        gv = term if gv is None else gv + term
    G.backward(gv)  # reverse over reverse
    Hv = np.concatenate([p.grad.ravel() for p in g.params])
    np.testing.assert_allclose(Hv, Hv_ref, rtol=1e-9, atol=1e-11)
    tangents = {p: vp.reshape(p.shape) for p, vp in zip(g.params, vs)}
    Hv_fwd = np.concatenate([fm.jvp(q, tangents).ravel() for q in grads])  # forward over reverse
    np.testing.assert_allclose(Hv_fwd, Hv_ref, rtol=1e-9, atol=1e-11)


def test_second_derivative_of_a_scalar_function():
    x = Node(0.7)
    y = (x * x * x).tanh()
    G.backward(y, create_graph=True)
    dy = x.grad  # a node: 3x^2 (1 - tanh^2(x^3))
    G.backward(dy)
    t = np.tanh(0.7**3)
    assert float(dy.value) == pytest.approx(3 * 0.49 * (1 - t * t), rel=1e-14)
    d2 = 6 * 0.7 * (1 - t * t) + 3 * 0.49 * (-2 * t * (1 - t * t)) * 3 * 0.49
    assert float(x.grad) == pytest.approx(d2, rel=1e-12)


def test_create_graph_refuses_an_activation_without_a_graph_derivative():
    z = Node(np.ones((2, 1)))
    y = G.activation(z, "swish").sum()
    with pytest.raises(ValueError, match="create_graph needs the derivative of 'swish' as graph "
                                         "operations; it is written for: logistic, tanh"):
        G.backward(y, create_graph=True)


def test_concat_rows_and_skip_network_graph(rng):
    from backproplib.architectures.skip_network import SkipNetwork

    a, b = Node(rng.normal(size=(2, 3))), Node(rng.normal(size=(1, 3)))
    c = G.concat([a, b])
    w = rng.normal(size=(3, 3))
    G.backward((c * w).sum())
    np.testing.assert_array_equal(a.grad, w[:2])
    np.testing.assert_array_equal(b.grad, w[2:])
    t = fm.jvp(c, {b: np.ones((1, 3))})
    np.testing.assert_array_equal(t, np.vstack([np.zeros((2, 3)), np.ones((1, 3))]))
    net = SkipNetwork([2, 3, 1], skips=[(0, 2)], activations="tanh", seed=0)
    X, Y = rng.normal(size=(2, 4)), rng.normal(size=(1, 4))
    loss, dW, db = N.network_gradient(net, X, Y)
    grads = net.loss_and_gradient(X, Y)[1]
    np.testing.assert_allclose(np.concatenate([x.ravel() for pair in zip(dW, db) for x in pair]),
                               grads.flat(), rtol=1e-12)


def test_node_vjp_gives_each_parents_contribution():
    a, b = Node(np.array([1.0, 2.0])), Node(np.array([3.0, -1.0]))
    c = a * b
    ga, gb = c.vjp(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(ga, [3.0, -10.0])  # multiply swaps
    np.testing.assert_array_equal(gb, [1.0, 20.0])
    assert a.vjp(np.ones(2)) == ()
