"""SymPy networks for the derivation chapters: the same network as :class:`backproplib.Network`, in symbols.

A :class:`SymbolicNetwork` holds one example (a column ``x`` of symbols ``x_1 ... x_{n_0}``), its target
``t`` and named parameters in the book's notation: ``w^l_{jk}`` connects unit ``k`` of layer ``l-1`` to
unit ``j`` of layer ``l`` (rows are outputs) and ``b^l_j`` is the bias of unit ``j`` of layer ``l``.
Symbols count units from 1, as the equations do; the arrays count from 0, so the symbol ``w^l_{jk}``
is the number ``net.W[l-1][j-1, k-1]``.

Three ways to the same gradient of ``C_x = 1/2 ||a^L - t||^2`` are offered, so that a chapter can
assert that they agree:

:func:`direct_gradient`
    ``sp.diff`` of the loss with respect to every parameter (no insight, but no room for error);
:func:`delta_rule_gradient`
    the delta rule unit by unit: ``delta^L_j = (a^L_j - t_j) f'(z^L_j)``,
    ``delta^l_j = f'(z^l_j) sum_i w^{l+1}_{ij} delta^{l+1}_i`` and ``dC/dw^l_{jk} = a^{l-1}_k delta^l_j``;
:func:`matrix_gradient`
    the same recursion with SymPy matrices: ``delta^{l-1} = D^{l-1} (W^l)^T delta^l`` with the diagonal
    matrix ``D^l = diag(f'(z^l))``, and ``dC/dW^l = delta^l (a^{l-1})^T``.

:func:`lambdify_gradient` turns any of them into a NumPy function of a :class:`backproplib.Network`
and a batch, whose result (the mean over the batch) is comparable with ``Network.backward``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from .init import check_sizes
from .network import Network

Array = np.ndarray
SymGradients = tuple[list[sp.Matrix], list[sp.Matrix]]

SYMBOLIC_ACTIVATIONS = ("logistic", "tanh", "identity")


def logistic(x: sp.Expr) -> sp.Expr:
    """The logistic function ``1 / (1 + exp(-x))`` as a SymPy expression."""
    return 1 / (1 + sp.exp(-x))


def activation_function(name: str) -> Callable[[sp.Expr], sp.Expr]:
    """The SymPy activation ``f`` called ``name`` (one of :data:`SYMBOLIC_ACTIVATIONS`)."""
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name (str) such as 'logistic', got {type(name).__name__}")
    table = {"logistic": logistic, "tanh": sp.tanh, "identity": lambda x: x}
    if name not in table:
        raise ValueError(
            f"unknown symbolic activation {name!r}; valid names are: {', '.join(SYMBOLIC_ACTIVATIONS)}"
        )
    return table[name]


def derivative_from_output(name: str, a: sp.Expr) -> sp.Expr:
    """``f'(z)`` written with the unit's own output ``a = f(z)``: how the delta rule uses it.

    ``a (1 - a)`` for the logistic, ``1 - a^2`` for tanh, ``1`` for the identity. (The tests check each
    against ``sp.diff``; chapter 03 derives the logistic one.)
    """
    activation_function(name)  # validates the name
    return {"logistic": a * (1 - a), "tanh": 1 - a**2, "identity": sp.Integer(1)}[name]


@dataclass
class SymbolicNetwork:
    """A network in symbols, for one example.

    Attributes
    ----------
    sizes : list of int
        ``[n_0, ..., n_L]``.
    activation : str
        The activation of every layer.
    x, t : sympy.Matrix, shapes (n_0, 1) and (n_L, 1)
        Input and target symbols ``x_k``, ``t_j``.
    W, b : lists of sympy.Matrix
        ``W[l-1]`` is ``W^l`` (shape ``(n_l, n_{l-1})``, entries ``w^l_{jk}``); ``b[l-1]`` is ``b^l``
        (shape ``(n_l, 1)``, entries ``b^l_j``).
    z, a : lists of sympy.Matrix
        The forward pass: ``z[l-1] = z^l = W^l a^{l-1} + b^l`` and ``a[l] = a^l = f(z^l)``, ``a[0] = x``.
    loss : sympy.Expr
        ``C_x = 1/2 sum_j (a^L_j - t_j)^2``.
    """

    sizes: list[int]
    activation: str
    x: sp.Matrix
    t: sp.Matrix
    W: list[sp.Matrix]
    b: list[sp.Matrix]
    z: list[sp.Matrix]
    a: list[sp.Matrix]
    loss: sp.Expr

    @property
    def L(self) -> int:
        """The number of layers with weights."""
        return len(self.W)

    @property
    def params(self) -> list[sp.Symbol]:
        """Every parameter symbol in the order of :meth:`backproplib.network.Network.get_params`."""
        return [s for W, b in zip(self.W, self.b) for s in [*W, *b] if s.is_Symbol]


def symbolic_network(sizes: Sequence[int], activation: str = "logistic",
                     bias: bool = True) -> SymbolicNetwork:
    """Build a network of named symbols and its symbolic forward pass and loss.

    Parameters
    ----------
    sizes : sequence of int
        ``[n_0, ..., n_L]``; keep it small (each symbolic derivative grows with the depth).
    activation : {"logistic", "tanh", "identity"}
        The activation of every layer.
    bias : bool
        With ``False`` the biases are the number 0 (the seed article's form, ``net_j = sum w o``).

    Returns
    -------
    SymbolicNetwork

    Examples
    --------
    >>> snet = symbolic_network([2, 2, 1])
    >>> snet.W[0]
    Matrix([
    [w^{1}_{11}, w^{1}_{12}],
    [w^{1}_{21}, w^{1}_{22}]])
    """
    sizes = check_sizes(sizes)
    f = activation_function(activation)
    x = sp.Matrix([sp.Symbol(f"x_{k}", real=True) for k in range(1, sizes[0] + 1)])
    t = sp.Matrix([sp.Symbol(f"t_{j}", real=True) for j in range(1, sizes[-1] + 1)])
    W, b, z, a = [], [], [], [x]
    sep = "," if max(sizes) > 9 else ""  # w^1_{12}, but w^1_{12,3} once indices have two digits
    for l in range(1, len(sizes)):
        n_out, n_in = sizes[l], sizes[l - 1]
        W.append(sp.Matrix(n_out, n_in, lambda j, k, l=l: sp.Symbol(
            f"w^{{{l}}}_{{{j + 1}{sep}{k + 1}}}", real=True)))
        b.append(sp.Matrix([sp.Symbol(f"b^{{{l}}}_{{{j}}}", real=True) if bias else sp.Integer(0)
                            for j in range(1, n_out + 1)]))
        z.append(W[-1] * a[-1] + b[-1])
        a.append(z[-1].applyfunc(f))
    loss = sp.Rational(1, 2) * sum((aj - tj) ** 2 for aj, tj in zip(a[-1], t))
    return SymbolicNetwork(sizes, activation, x, t, W, b, z, a, loss)


def direct_gradient(snet: SymbolicNetwork) -> SymGradients:
    """``dC_x/dW^l`` and ``dC_x/db^l`` by differentiating the loss directly (``sp.diff``).

    Returns
    -------
    dW, db : lists of sympy.Matrix
        Shapes of ``snet.W`` and ``snet.b``. Without biases ``db`` holds zeros.
    """
    _check_snet(snet)
    dW = [W.applyfunc(lambda w: sp.diff(snet.loss, w)) for W in snet.W]
    db = [b.applyfunc(lambda s: sp.diff(snet.loss, s) if s.is_Symbol else sp.Integer(0)) for b in snet.b]
    return dW, db


def delta_rule_gradient(snet: SymbolicNetwork) -> SymGradients:
    """The gradient by the delta rule, one unit at a time (Eq. 1 to 5 of chapter 03).

    ``delta^L_j = (a^L_j - t_j) f'(z^L_j)`` (Eq. 4 with Eq. 3), then for an inner unit
    ``delta^l_j = f'(z^l_j) sum_i w^{l+1}_{ij} delta^{l+1}_i`` (Eq. 5), and
    ``dC/dw^l_{jk} = a^{l-1}_k delta^l_j``, ``dC/db^l_j = delta^l_j`` (Eq. 1 with Eq. 2). ``f'`` is
    written with the unit's output (:func:`derivative_from_output`).

    Returns
    -------
    dW, db : lists of sympy.Matrix
        Shapes of ``snet.W`` and ``snet.b``.
    """
    _check_snet(snet)
    L, a, W, n = snet.L, snet.a, snet.W, snet.sizes
    f = snet.activation
    fprime = [[derivative_from_output(f, o) for o in a[l]]
              for l in range(1, L + 1)]
    delta = [[sp.Integer(0)] * k for k in n[1:]]  # delta^l_j: delta[l-1][j]
    for j in range(n[-1]):
        delta[L - 1][j] = (a[L][j] - snet.t[j]) * fprime[L - 1][j]
    for l in range(L - 1, 0, -1):  # inner layers, from the back
        for j in range(n[l]):
            back = sum(W[l][i, j] * delta[l][i] for i in range(n[l + 1]))
            delta[l - 1][j] = fprime[l - 1][j] * back
    dW = [sp.Matrix(n[l], n[l - 1],
                    lambda j, k, l=l: a[l - 1][k] * delta[l - 1][j])
          for l in range(1, L + 1)]
    db = [sp.Matrix(d) if b[0].is_Symbol else sp.zeros(len(d), 1)
          for d, b in zip(delta, snet.b)]
    return dW, db


def matrix_gradient(snet: SymbolicNetwork) -> SymGradients:
    """The gradient by the matrix recursion of chapter 04, with SymPy matrices.

    ``delta^L = D^L (a^L - t)``, ``delta^{l-1} = D^{l-1} (W^l)^T delta^l``,
    ``dC/dW^l = delta^l (a^{l-1})^T`` and ``dC/db^l = delta^l``, where ``D^l = diag(f'(z^l))``.

    Returns
    -------
    dW, db : lists of sympy.Matrix
        Shapes of ``snet.W`` and ``snet.b``.
    """
    _check_snet(snet)
    D = [sp.diag(*[derivative_from_output(snet.activation, o) for o in a])
         for a in snet.a[1:]]
    delta = D[-1] * (snet.a[-1] - snet.t)
    dW: list[sp.Matrix] = [sp.Matrix()] * snet.L
    db: list[sp.Matrix] = [sp.Matrix()] * snet.L
    for l in range(snet.L, 0, -1):
        dW[l - 1] = delta * snet.a[l - 1].T
        has_bias = snet.b[l - 1][0].is_Symbol
        db[l - 1] = delta if has_bias else sp.zeros(*delta.shape)
        if l > 1:
            delta = D[l - 2] * (snet.W[l - 1].T * delta)
    return dW, db


def substitutions(snet: SymbolicNetwork, net: Network, x: Array | None = None,
                  y: Array | None = None) -> dict[sp.Symbol, float]:
    """The numbers of a :class:`backproplib.Network` (and optionally one example) as a SymPy ``subs`` dict.

    Parameters
    ----------
    snet : SymbolicNetwork
    net : Network
        Same sizes as ``snet``; ``net.W[l-1][j-1, k-1]`` becomes the value of ``w^l_{jk}``.
    x : ndarray, shape (n_0,), optional
    y : ndarray, shape (n_L,), optional
        The target, the value of ``t``.
    """
    _check_pair(snet, net)
    values: dict[sp.Symbol, float] = {}
    for Ws, bs, W, b in zip(snet.W, snet.b, net.W, net.b):
        values.update({s: float(v) for s, v in zip(Ws, W.ravel())})
        values.update({s: float(v) for s, v in zip(bs, b) if s.is_Symbol})
    for name, syms, vec in (("x", snet.x, x), ("y", snet.t, y)):
        if vec is None:
            continue
        vec = np.asarray(vec, dtype=float)
        if vec.shape != (len(syms),):
            raise ValueError(f"{name} has shape {vec.shape}, expected ({len(syms)},) for one example")
        values.update({s: float(v) for s, v in zip(syms, vec)})
    return values


def lambdify_gradient(snet: SymbolicNetwork,
                      grads: SymGradients) -> Callable[[Network, Array, Array], SymGradients]:
    """Turn symbolic gradients into a NumPy function ``g(net, X, Y) -> (dW, db)``.

    The result is the **mean over the batch** of the per-example gradients, as
    :meth:`backproplib.network.Network.backward` returns it.

    Parameters
    ----------
    snet : SymbolicNetwork
    grads : (dW, db)
        From :func:`direct_gradient`, :func:`delta_rule_gradient` or :func:`matrix_gradient`.

    Returns
    -------
    callable
        ``g(net, X, Y)`` with ``X`` of shape ``(n_0, m)`` and ``Y`` of shape ``(n_L, m)``; it returns
        lists of float64 arrays with the shapes of ``net.W`` and ``net.b``.
    """
    _check_snet(snet)
    dW, db = grads
    if len(dW) != snet.L or len(db) != snet.L:
        raise ValueError(f"grads must hold {snet.L} weight and {snet.L} bias gradients, "
                         f"got {len(dW)} and {len(db)}")
    args = [*snet.params, *snet.x, *snet.t]
    exprs = [e for M in [*dW, *db] for e in M]
    f = sp.lambdify(args, exprs, modules="numpy", cse=True)

    def gradient(net: Network, X: Array, Y: Array) -> SymGradients:
        _check_pair(snet, net)
        X = np.asarray(X, dtype=float)
        Y = np.asarray(Y, dtype=float)
        n0, nL = snet.sizes[0], snet.sizes[-1]
        if X.ndim != 2 or X.shape[0] != n0 or Y.shape != (nL, X.shape[1]):
            raise ValueError(f"X must have shape ({n0}, m) and Y shape ({nL}, m) (examples are columns); "
                             f"got X {X.shape} and Y {Y.shape}")
        theta = net.get_params()
        if len(snet.params) != theta.size:  # no biases: drop them from the parameter vector
            theta = np.concatenate([W.ravel() for W in net.W])
        values = f(*theta, *X, *Y)
        means = iter([float(np.mean(np.broadcast_to(v, X.shape[1:]))) for v in values])
        gW = [np.array([[next(means) for _ in range(W.shape[1])] for _ in range(W.shape[0])]) for W in dW]
        gb = [np.array([next(means) for _ in range(b.shape[0])]) for b in db]
        return gW, gb

    return gradient


def _check_snet(snet: object) -> None:
    if not isinstance(snet, SymbolicNetwork):
        raise TypeError(f"expected a SymbolicNetwork (from symbolic_network), got {type(snet).__name__}")


def _check_pair(snet: SymbolicNetwork, net: object) -> None:
    _check_snet(snet)
    if not isinstance(net, Network):
        raise TypeError(f"expected a backproplib Network, got {type(net).__name__}")
    if list(net.sizes) != snet.sizes:
        raise ValueError(f"the Network has sizes {net.sizes} but the symbolic network has {snet.sizes}")
    names = [f.name for f in net.activations]
    if any(name != snet.activation for name in names) or net.loss_fn.name != "half_squared_error":
        raise ValueError(f"the symbolic network uses {snet.activation!r} everywhere and the half squared "
                         f"error; the Network has activations {names} and loss {net.loss_fn.name!r}")
