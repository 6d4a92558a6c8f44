"""Networks beyond the plain layered stack, each backpropagated by the core's one recursion.

- :mod:`~backproplib.architectures.skip_network`: layers that also read earlier layers directly
  (the 1986 XOR network with direct connections, chapter 13).
- :mod:`~backproplib.architectures.residual`: layers with an identity path around the activation
  (chapter 18).
- :mod:`~backproplib.architectures.batch_norm`: batch normalisation, its derived backward pass and
  its graph-engine operation (chapter 18).
- :mod:`~backproplib.architectures.recurrent`: a recurrent network unrolled in time,
  backpropagation through time and its truncated form (chapter 19).
- :mod:`~backproplib.architectures.convolution`: 1-D and 2-D convolution and max-pooling, forward
  and backward, vectorised, and a small ConvNet with a core network as its head (chapter 20).
- :mod:`~backproplib.architectures.fitting`: training these models with the core's optimisers,
  and gradient clipping.
- :mod:`~backproplib.architectures.feedback_alignment`: errors sent back through fixed random
  matrices instead of the transposed weights (chapter 24).
- :mod:`~backproplib.architectures.straight_through`: threshold units, and the straight-through
  estimator that trains them (chapter 24).
"""
