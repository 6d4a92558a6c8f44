"""Networks beyond the plain layered stack, each backpropagated by the core's one recursion.

- :mod:`~backproplib.architectures.skip_network`: layers that also read earlier layers directly
  (the 1986 XOR network with direct connections, chapter 13).
- :mod:`~backproplib.architectures.feedback_alignment`: errors sent back through fixed random
  matrices instead of the transposed weights (chapter 24).
- :mod:`~backproplib.architectures.straight_through`: threshold units, and the straight-through
  estimator that trains them (chapter 24).
"""
