"""What the chapters use to show and to ask: figures, widgets, source listings, exercises.

Nothing else in the library imports this package; it imports from all of it.

- :mod:`~backproplib.teaching.plots`: the book's figure style.
- :mod:`~backproplib.teaching.source`: :func:`~backproplib.teaching.source.show_source`, the
  library's own code shown in a chapter.
- :mod:`~backproplib.teaching.explorer` and :mod:`~backproplib.teaching.widgets`: the loss-surface
  explorer's state and its controls (chapters 2 and 5).
- :mod:`~backproplib.teaching.attack_explorer`: perturb a digit by its input gradient's signs and
  see what the network answers (chapter 23).
- :mod:`~backproplib.teaching.network_plot`: drawings of layered networks with their notation
  (chapters 1-3).
- :mod:`~backproplib.teaching.graph_plot`: drawings of computational graphs (chapter 6).
- :mod:`~backproplib.teaching.backward_stepper`: the backward pass one node per click, and the
  gate figure (chapter 17).
- :mod:`~backproplib.teaching.timeline`: the history chapter's timeline.
- :mod:`~backproplib.teaching.exercises`: the self-checks of the exercises.
"""
