"""Networks beyond the plain layered stack, each backpropagated by the core's one recursion.

- :mod:`~backproplib.architectures.skip_network`: layers that also read earlier layers directly
  (the 1986 XOR network with direct connections, chapter 13).
- :mod:`~backproplib.architectures.residual`: layers with an identity path around the activation
  (chapter 18).
- :mod:`~backproplib.architectures.batch_norm`: batch normalisation, its derived backward pass and
  its graph-engine operation (chapter 18).
"""
