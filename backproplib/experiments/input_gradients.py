"""Gradients of the input: saliency maps and the fast gradient sign method (chapter 23).

Backpropagation computes the error vectors ``delta^l`` layer by layer; one more transpose gives the
gradient of the loss with respect to the input itself
(:meth:`backproplib.network.Network.input_gradient`):

    dC_x/dx = (W^1)^T delta^1.

Seeded with ``delta^L = dC_x/dz^L`` this is the gradient of the loss, which the fast gradient sign
method (Goodfellow, Shlens and Szegedy 2015) follows; seeded with a unit vector ``e_c`` at the
weighted input of the output layer it is the gradient of the class score ``z^L_c``, whose size is
the saliency map of Simonyan, Vedaldi and Zisserman (2014). Either costs one forward and one
backward pass for the whole batch, whatever the number of pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..network import Network

Array = np.ndarray
Clip = tuple[float, float] | None


def input_gradient(net: Network, X: Array, Y: Array) -> Array:
    """``dC_x/dx`` for every example: one forward pass and one backward pass to layer 0.

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
        The inputs, one per column.
    Y : ndarray, shape (n_L, m), or int labels of shape (m,) for cross-entropy
        The targets.

    Returns
    -------
    ndarray, shape (n_0, m)
        Column ``i`` is ``dC_{x_i}/dx_i`` (not divided by ``m``).
    """
    _check_net(net)
    cache = net.forward(X)
    deltas = net.backpropagate(cache, net.output_delta(cache, Y))
    return net.input_gradient(cache, deltas)


def class_score_gradient(net: Network, X: Array, classes: Array) -> Array:
    """``dz^L_c/dx``: the gradient of one output's weighted input (the class score before the
    softmax) with respect to the input, for every example.

    The recursion is seeded with ``delta^L = e_c``, the unit vector of class ``c``: the score is
    ``z^L_c`` itself, so no derivative of the output activation enters.

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
    classes : ndarray of int, shape (m,)
        The class ``c`` of each example, in ``0..n_L - 1``.

    Returns
    -------
    ndarray, shape (n_0, m)
    """
    _check_net(net)
    cache = net.forward(X)
    m = cache.a[0].shape[1]
    c = _check_classes(classes, net.sizes[-1], m)
    seed = np.zeros((net.sizes[-1], m))
    seed[c, np.arange(m)] = 1.0
    return net.input_gradient(cache, net.backpropagate(cache, seed))


def saliency(net: Network, X: Array, classes: Array | None = None) -> Array:
    """The saliency map ``|dz^L_c/dx|`` of Simonyan, Vedaldi and Zisserman: how strongly each
    input entry moves the score of class ``c``, to first order.

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
    classes : ndarray of int, shape (m,), optional
        The class of each example; by default the class the network predicts.

    Returns
    -------
    ndarray, shape (n_0, m)
        Non-negative; reshape a column to the image's shape to draw it.
    """
    if classes is None:
        _check_net(net)
        classes = net.predict(X).argmax(axis=0)
    return np.abs(class_score_gradient(net, X, classes))


def fgsm(net: Network, X: Array, Y: Array, epsilon: float,
         clip: Clip = (0.0, 1.0)) -> Array:
    """The fast gradient sign method: ``x + epsilon * sign(dC_x/dx)``, every input entry moved by
    ``epsilon`` in the direction that raises its own example's loss.

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
    Y : ndarray, shape (n_L, m), or int labels of shape (m,)
        The true targets (the attack raises the loss of the right answer).
    epsilon : float
        The size of the step in every entry (the max-norm of the perturbation), ``>= 0``.
    clip : (float, float) or None
        The valid range of an input entry; the perturbed input is clipped to it (pixels stay
        pixels). ``None`` leaves it unclipped.

    Returns
    -------
    ndarray, shape (n_0, m)
        The perturbed inputs (a new array).
    """
    eps = _check_epsilon(epsilon)
    g = input_gradient(net, X, Y)
    return _clipped(net.check_input(X) + eps * np.sign(g), clip)


def random_sign(X: Array, epsilon: float, seed: int = 0, clip: Clip = (0.0, 1.0)) -> Array:
    """A perturbation of the same size as :func:`fgsm`'s in random directions:
    ``x + epsilon * s`` with independent signs ``s = +-1``. The baseline that shows whether the
    gradient's direction matters, or only the size of the step.

    Parameters
    ----------
    X : ndarray, shape (n_0, m)
    epsilon : float
    seed : int
        Seed of the signs.
    clip : (float, float) or None

    Returns
    -------
    ndarray, shape (n_0, m)
    """
    eps = _check_epsilon(epsilon)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D with one example per column, got shape {X.shape}")
    signs = np.random.default_rng(seed).choice([-1.0, 1.0], size=X.shape)
    return _clipped(X + eps * signs, clip)


def accuracy(net: Network, X: Array, y: Array) -> float:
    """The fraction of the columns of ``X`` whose largest output is the label ``y``."""
    _check_net(net)
    pred = net.predict(X).argmax(axis=0)
    y = _check_classes(y, net.sizes[-1], pred.shape[0])
    return float(np.mean(pred == y))


@dataclass
class AttackCurve:
    """Accuracy against the size of the perturbation, for the gradient's signs and random ones.

    Attributes
    ----------
    epsilons : ndarray, shape (k,)
    fgsm : ndarray, shape (k,)
        Accuracy on the inputs perturbed by :func:`fgsm`.
    random : ndarray, shape (k,)
        Accuracy on the inputs perturbed by :func:`random_sign` (same size, random signs).
    """

    epsilons: Array
    fgsm: Array
    random: Array


def attack_curve(net: Network, X: Array, y: Array, epsilons: Sequence[float],
                 clip: Clip = (0.0, 1.0), seed: int = 0) -> AttackCurve:
    """Accuracy of ``net`` on ``X`` perturbed by FGSM and by random signs, for each ``epsilon``.

    The input gradient is computed once (it does not depend on ``epsilon``).

    Parameters
    ----------
    net : Network
    X : ndarray, shape (n_0, m)
    y : ndarray of int, shape (m,)
    epsilons : sequence of float
    clip : (float, float) or None
    seed : int
        Seed of the random signs (the same signs for every ``epsilon``).

    Returns
    -------
    AttackCurve
    """
    eps = np.array([_check_epsilon(e) for e in epsilons])
    if eps.size == 0:
        raise ValueError("epsilons is empty: give at least one perturbation size")
    X = net.check_input(X)
    signs = np.sign(input_gradient(net, X, y))
    noise = np.random.default_rng(seed).choice([-1.0, 1.0], size=X.shape)
    return AttackCurve(
        epsilons=eps,
        fgsm=np.array([accuracy(net, _clipped(X + e * signs, clip), y) for e in eps]),
        random=np.array([accuracy(net, _clipped(X + e * noise, clip), y) for e in eps]))


# ---------------------------------------------------------------------------- checks
def _check_net(net: object) -> None:
    if not isinstance(net, Network):
        raise TypeError(f"net must be a backproplib Network, got {type(net).__name__}")


def _check_epsilon(epsilon: object) -> float:
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, np.integer, np.floating)):
        raise TypeError(f"epsilon must be a number, got {type(epsilon).__name__} {epsilon!r}")
    if not (np.isfinite(epsilon) and epsilon >= 0):
        raise ValueError(f"epsilon must be finite and >= 0 (the size of the step in each input "
                         f"entry), got {epsilon!r}")
    return float(epsilon)


def _check_classes(classes: object, n_out: int, m: int) -> Array:
    c = np.asarray(classes)
    if c.shape != (m,) or not np.issubdtype(c.dtype, np.integer):
        raise ValueError(f"classes must be integer labels of shape ({m},), one per example; got "
                         f"{c.dtype} of shape {c.shape}")
    if m and (c.min() < 0 or c.max() >= n_out):
        bad = c[(c < 0) | (c >= n_out)][0]
        raise ValueError(f"class {bad} is out of range: classes must be in 0..{n_out - 1}")
    return c


def _clipped(X: Array, clip: Clip) -> Array:
    if clip is None:
        return X
    try:
        if isinstance(clip, (str, bytes)):
            raise TypeError
        lo, hi = (float(v) for v in clip)
    except (TypeError, ValueError) as err:
        raise TypeError(f"clip must be None or a pair (low, high), got {clip!r}") from err
    if not lo < hi:
        raise ValueError(f"clip must be a range (low, high) with low < high, got {clip!r}")
    return np.clip(X, lo, hi)
