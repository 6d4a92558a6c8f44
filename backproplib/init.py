"""Weight initialisation schemes.

Each scheme returns ``W^l`` of shape ``(n_l, n_{l-1})`` for every layer and zero (or small) biases
``b^l`` of shape ``(n_l,)``, drawn from a NumPy ``Generator`` so that a seed fixes every number.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Array = np.ndarray

INIT_SCHEMES = ("uniform", "xavier", "he", "normal")


def init_params(
    sizes: Sequence[int],
    scheme: str = "xavier",
    rng: np.random.Generator | None = None,
    scale: float = 0.3,
) -> tuple[list[Array], list[Array]]:
    """Initial weights and biases for a network with layer sizes ``[n_0, ..., n_L]``.

    Parameters
    ----------
    sizes : sequence of int
        Layer sizes, input first.
    scheme : {"uniform", "xavier", "he", "normal"}
        ``uniform``: every weight and bias uniform in ``[-scale, scale]`` (the 1986 experiments used
        0.3). ``xavier``: Glorot uniform, ``U[-r, r]`` with ``r = sqrt(6 / (n_{l-1} + n_l))``, zero
        biases. ``he``: normal with standard deviation ``sqrt(2 / n_{l-1})``, zero biases (for ReLU).
        ``normal``: standard normal weights and biases (Nielsen's choice).
    rng : numpy.random.Generator, optional
        Source of randomness; ``np.random.default_rng(0)`` if omitted.
    scale : float
        Half-width for ``uniform``.

    Returns
    -------
    W : list of ndarray
        ``W[l-1]`` has shape ``(n_l, n_{l-1})``.
    b : list of ndarray
        ``b[l-1]`` has shape ``(n_l,)``.
    """
    sizes = check_sizes(sizes)
    if rng is None:
        rng = np.random.default_rng(0)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator such as np.random.default_rng(0), "
                        f"got {type(rng).__name__}")
    if not isinstance(scheme, str) or scheme.lower() not in INIT_SCHEMES:
        raise ValueError(f"unknown init scheme {scheme!r}; valid schemes are: {', '.join(INIT_SCHEMES)}")
    scheme = scheme.lower()
    if scheme == "uniform" and not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale (the half-width of the uniform scheme) must be > 0, got {scale}")
    W, b = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        if scheme == "uniform":
            W.append(rng.uniform(-scale, scale, size=(n_out, n_in)))
            b.append(rng.uniform(-scale, scale, size=n_out))
        elif scheme == "xavier":
            r = np.sqrt(6.0 / (n_in + n_out))
            W.append(rng.uniform(-r, r, size=(n_out, n_in)))
            b.append(np.zeros(n_out))
        elif scheme == "he":
            W.append(rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in)))
            b.append(np.zeros(n_out))
        else:
            W.append(rng.normal(size=(n_out, n_in)))
            b.append(rng.normal(size=n_out))
    return W, b


def check_sizes(sizes: Sequence[int]) -> list[int]:
    """Validate layer sizes ``[n_0, ..., n_L]``: at least two positive ints."""
    if isinstance(sizes, (str, bytes)):
        raise TypeError(f"sizes must be a sequence of ints like [2, 3, 1], got {sizes!r}")
    try:
        sizes = list(sizes)
    except TypeError as err:
        raise TypeError(f"sizes must be a sequence of ints like [2, 3, 1], got {sizes!r}") from err
    if len(sizes) < 2:
        raise ValueError(f"sizes must name the input and at least one layer, got {sizes}")
    for i, n in enumerate(sizes):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"layer size sizes[{i}] must be an int, got {n!r}")
        if n <= 0:
            raise ValueError(f"layer size sizes[{i}] must be positive, got {n}")
    return [int(n) for n in sizes]
