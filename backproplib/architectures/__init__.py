"""Networks beyond the plain layered stack, each backpropagated by the core's one recursion.

- :mod:`~backproplib.architectures.skip_network`: layers that also read earlier layers directly
  (the 1986 XOR network with direct connections, chapter 13).
"""
