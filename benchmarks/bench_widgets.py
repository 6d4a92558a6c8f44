"""How long one control change of the loss-surface explorer takes (recompute + redraw + PNG).

    python -m benchmarks.bench_widgets

For each problem, with the default grid, the callback of a learning-rate slider move is timed
(``REPEATS`` moves, median reported) against two baselines measured in the same run: the bare surface
computation on the same grid (vectorised NumPy) and a full redraw from scratch (no cached background).
The live widget aims at well under 100 ms per move.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from backproplib import surfaces as S
from backproplib.teaching import widgets as W
from backproplib.teaching.explorer import Explorer

REPEATS = 15
TARGET_MS = 100.0


def _median_ms(fn: Callable[[int], object], repeats: int = REPEATS) -> float:
    fn(0)  # warm-up
    times = []
    for k in range(1, repeats + 1):
        start = time.perf_counter()
        fn(k)
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def measure(problem: str) -> dict[str, float]:
    """Median milliseconds of a slider move, the bare surface computation and a full redraw."""
    explorer = Explorer(problem, eta=0.2, steps=30)
    ui = W.make_widget(explorer)
    etas = [0.05 + 0.01 * (k % 10) for k in range(REPEATS + 1)]

    def move(k: int) -> None:
        ui.controls["eta"].value = etas[k]

    def surface(_k: int) -> None:
        explorer.surface.grid(explorer.grid_size)

    def full(k: int) -> None:
        explorer.eta = etas[k]
        W.ExplorerFigure(explorer, blit=True).png()

    return {"move": _median_ms(move), "surface": _median_ms(surface),
            "full": _median_ms(full, repeats=5)}


def main() -> None:
    print(f"explorer control change, default grid {Explorer().grid_size}x{Explorer().grid_size}, "
          f"median of {REPEATS} moves (target < {TARGET_MS:.0f} ms)")
    print(f"{'problem':<10}{'move ms':>9}{'surface ms':>12}{'move/surface':>14}{'full ms':>9}"
          f"{'full/move':>11}")
    for problem in S.PROBLEMS:
        r = measure(problem)
        print(f"{problem:<10}{r['move']:>9.1f}{r['surface']:>12.2f}{r['move'] / r['surface']:>14.0f}"
              f"{r['full']:>9.1f}{r['full'] / r['move']:>11.1f}")


if __name__ == "__main__":
    main()
