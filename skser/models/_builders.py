"""Pure Keras model builders for the seed architectures (S0-S4).

Each builder takes the shape of ONE input example (without the batch axis), the
number of classes and its hyper-parameters, and returns an uncompiled
``keras.Model`` ending in a softmax over ``n_classes``. The classifiers in
:mod:`skser.models` compile it (optimizer, learning rate, loss); a user can also
compile and train a builder's model with plain Keras.

Input shapes follow skser's data contract:

- ``(n_bands, n_frames)``: a feature "image" from a feature transformer (rank 2);
- ``(n_features,)``: pooled or flattened features (rank 1);
- ``(n_bands, n_frames, n_channels)``: an image with channels (rank 3).

Pooling never shrinks an axis below one: an axis shorter than ``pool_size`` is pooled
by its own length, so tiny test inputs and pooled vectors build without error.
"""

import numbers

import keras
from keras import layers

from .._validation import check_scalar_param

__all__ = ["build_cnn2d", "build_crnn", "build_cnn1d", "build_mlp"]


# --------------------------------------------------------------------------- checks
def _check_shape(input_shape, ranks, builder):
    try:
        shape = tuple(int(d) for d in input_shape)
    except TypeError:
        raise TypeError(
            f"{builder}: input_shape must be a tuple of ints, got {input_shape!r}"
        ) from None
    if len(shape) not in ranks or any(d < 1 for d in shape):
        raise ValueError(
            f"{builder}: input_shape must have {' or '.join(map(str, ranks))} positive "
            f"dimensions (one example, no batch axis), got {shape}"
        )
    return shape


def _check_int(value, name, builder, *, minimum=1):
    return int(check_scalar_param(builder, name, value, "int", low=minimum))


def _check_sizes(value, name, builder, *, allow_empty=False):
    """A tuple of positive ints (a single int is accepted as a 1-tuple)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value,)
    try:
        sizes = tuple(value)
    except TypeError:
        raise ValueError(
            f"{builder}: {name} must be a tuple of positive ints, got {value!r}"
        ) from None
    if (not sizes and not allow_empty) or not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1 for s in sizes
    ):
        raise ValueError(f"{builder}: {name} must be a tuple of positive ints, got {value!r}")
    return tuple(int(s) for s in sizes)


def _check_rate(value, name, builder):
    if not isinstance(value, numbers.Real) or not 0.0 <= value < 1.0:
        raise ValueError(f"{builder}: {name} must be a float in [0, 1), got {value!r}")
    return float(value)


def _check_classes(n_classes, builder):
    return _check_int(n_classes, "n_classes", builder, minimum=2)


def _check_band_ranges(bands, shape, builder):
    """``bands`` as a list of (start, stop) pairs inside the input's bands, or []."""
    if bands is None:
        return []
    if len(shape) != 2:
        raise ValueError(f"{builder}: bands needs (bands, frames) input, got shape {shape}")
    try:
        ranges = [(int(a), int(b)) for a, b in bands]
    except (TypeError, ValueError):
        raise ValueError(
            f"{builder}: bands must be a sequence of (start, stop) pairs, got {bands!r}"
        ) from None
    if not ranges or any(not 0 <= a < b <= shape[0] for a, b in ranges):
        raise ValueError(
            f"{builder}: bands must be non-empty (start, stop) pairs with "
            f"0 <= start < stop <= {shape[0]} (the input's bands), got {bands!r}"
        )
    return ranges


def _pool(shape, pool_size):
    """Per-axis pool sizes that never pool an axis below length one."""
    return tuple(max(1, min(pool_size, d)) for d in shape)


def _softmax(x, n_classes):
    return layers.Dense(n_classes, activation="softmax", name="softmax")(x)


def _conv2d_stack(shape, filters, kernel_size, pool_size, batch_norm, activation):
    """Input (reshaped to an image with channels) and conv [+ BN] + max-pool blocks.

    Returns ``(inputs, x, (bands, frames))`` with the pooled spatial size.
    """
    inputs = keras.Input(shape, name="features")
    image = {1: (1, shape[0], 1), 2: (*shape, 1), 3: shape}[len(shape)]
    x = inputs if len(shape) == 3 else layers.Reshape(image, name="to_image")(inputs)
    spatial = image[:2]
    for f in filters:
        x = layers.Conv2D(f, kernel_size, padding="same", activation=activation)(x)
        if batch_norm:
            x = layers.BatchNormalization()(x)
        pool = _pool(spatial, pool_size)
        x = layers.MaxPooling2D(pool)(x)
        spatial = tuple(d // p for d, p in zip(spatial, pool, strict=True))
    return inputs, x, spatial


# ------------------------------------------------------------------------ builders
def build_cnn2d(
    input_shape,
    n_classes,
    *,
    filters=(32, 64, 128),
    kernel_size=3,
    pool_size=2,
    dense_units=(128,),
    dropout=0.3,
    batch_norm=False,
    activation="relu",
):
    """2-D CNN on spectrogram images (recipe S0).

    One block per entry of ``filters``: ``Conv2D(f, kernel_size, padding="same")``
    [+ ``BatchNormalization``] + ``MaxPooling2D(pool_size)``; then ``Flatten``, one
    ``Dense`` (+ ``Dropout``) per entry of ``dense_units`` and a softmax.

    Parameters
    ----------
    input_shape : tuple of int
        One example: ``(n_bands, n_frames)``, ``(n_bands, n_frames, n_channels)`` or
        ``(n_features,)`` (treated as a one-row image).
    n_classes : int
        Number of output classes (>= 2).
    filters : tuple of int, default=(32, 64, 128)
        Filters of each convolution block.
    kernel_size : int, default=3
        Square convolution kernel.
    pool_size : int, default=2
        Square max-pooling window (clipped to the axis length).
    dense_units : tuple of int, default=(128,)
        Hidden dense layers before the softmax (may be empty).
    dropout : float, default=0.3
        Dropout after each hidden dense layer.
    batch_norm : bool, default=False
        Batch normalisation after each convolution.
    activation : str, default="relu"
        Activation of the convolutions and hidden dense layers.

    Returns
    -------
    keras.Model
        Uncompiled model mapping ``(batch, *input_shape)`` to class probabilities.

    Examples
    --------
    >>> from skser.models import build_cnn2d
    >>> model = build_cnn2d((64, 64), 8)
    >>> model.input_shape, model.output_shape
    ((None, 64, 64), (None, 8))
    """
    name = "build_cnn2d"
    shape = _check_shape(input_shape, (1, 2, 3), name)
    n_classes = _check_classes(n_classes, name)
    filters = _check_sizes(filters, "filters", name)
    kernel_size = _check_int(kernel_size, "kernel_size", name)
    pool_size = _check_int(pool_size, "pool_size", name)
    dense_units = _check_sizes(dense_units, "dense_units", name, allow_empty=True)
    dropout = _check_rate(dropout, "dropout", name)

    inputs, x, _ = _conv2d_stack(shape, filters, kernel_size, pool_size, batch_norm, activation)
    x = layers.Flatten()(x)
    for units in dense_units:
        x = layers.Dense(units, activation=activation)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    return keras.Model(inputs, _softmax(x, n_classes), name="cnn2d")


def build_crnn(
    input_shape,
    n_classes,
    *,
    conv_filters=(32, 64),
    kernel_size=3,
    pool_size=2,
    lstm_units=(128, 64),
    dropout=0.3,
    batch_norm=True,
    activation="relu",
):
    """Convolutional-recurrent network on (bands, frames) features (recipe S1).

    The defaults are S1's network: ``Conv2D 32 + BatchNormalization + MaxPooling2D 2x2,
    Conv2D 64 + BatchNormalization + MaxPooling2D 2x2, Permute + Reshape`` to a
    sequence of time steps (frames), ``LSTM 128`` returning sequences, ``Dropout 0.3``,
    ``LSTM 64``, ``Dropout 0.3``, ``Dense`` softmax.

    Parameters
    ----------
    input_shape : tuple of int
        One example: ``(n_bands, n_frames)`` (the time axis is the last one),
        ``(n_bands, n_frames, n_channels)`` or ``(n_features,)`` (one band).
    n_classes : int
        Number of output classes (>= 2).
    conv_filters : tuple of int, default=(32, 64)
        Filters of each convolution block.
    kernel_size : int, default=3
        Square convolution kernel.
    pool_size : int, default=2
        Square max-pooling window (clipped to the axis length).
    lstm_units : tuple of int, default=(128, 64)
        Units of each stacked LSTM; all but the last return sequences.
    dropout : float, default=0.3
        Dropout after each LSTM.
    batch_norm : bool, default=True
        Batch normalisation after each convolution.
    activation : str, default="relu"
        Activation of the convolutions.

    Returns
    -------
    keras.Model
        Uncompiled model.

    Examples
    --------
    >>> from skser.models import build_crnn
    >>> model = build_crnn((128, 100), 8)
    >>> model.input_shape, model.output_shape
    ((None, 128, 100), (None, 8))
    """
    name = "build_crnn"
    shape = _check_shape(input_shape, (1, 2, 3), name)
    n_classes = _check_classes(n_classes, name)
    conv_filters = _check_sizes(conv_filters, "conv_filters", name)
    kernel_size = _check_int(kernel_size, "kernel_size", name)
    pool_size = _check_int(pool_size, "pool_size", name)
    lstm_units = _check_sizes(lstm_units, "lstm_units", name)
    dropout = _check_rate(dropout, "dropout", name)

    inputs, x, (bands, frames) = _conv2d_stack(
        shape, conv_filters, kernel_size, pool_size, batch_norm, activation
    )
    # (bands, frames, channels) -> (frames, bands, channels) -> (frames, bands * channels)
    x = layers.Permute((2, 1, 3))(x)
    x = layers.Reshape((frames, bands * conv_filters[-1]))(x)
    for i, units in enumerate(lstm_units):
        x = layers.LSTM(units, return_sequences=i < len(lstm_units) - 1)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    return keras.Model(inputs, _softmax(x, n_classes), name="crnn")


def build_cnn1d(
    input_shape,
    n_classes,
    *,
    filters=(64, 128, 128),
    kernel_size=5,
    pool_size=2,
    dense_units=(128,),
    dropout=0.2,
    batch_norm=True,
    negative_slope=0.1,
    head="flatten",
    head_dropout=None,
    bands=None,
    input_norm=None,
):
    """1-D CNN over frame features (recipes S2 and S3).

    One block per entry of ``filters``: ``Conv1D(f, kernel_size, padding="same")``
    [+ ``BatchNormalization``] + ``LeakyReLU`` + ``MaxPooling1D(pool_size)`` +
    ``Dropout``; then ``Flatten``, hidden ``Dense`` + ``LeakyReLU`` (+ ``Dropout``)
    layers and a softmax.

    Parameters
    ----------
    input_shape : tuple of int
        One example: ``(n_bands, n_frames)`` is convolved along frames with the bands
        as channels; ``(n_features,)`` is convolved along the features with one
        channel (recipe S3's pooled MFCC vector).
    n_classes : int
        Number of output classes (>= 2).
    filters : tuple of int, default=(64, 128, 128)
        Filters of each convolution block.
    kernel_size : int, default=5
        Convolution kernel length.
    pool_size : int, default=2
        Max-pooling window (clipped to the sequence length).
    dense_units : tuple of int, default=(128,)
        Hidden dense layers before the softmax (may be empty).
    dropout : float, default=0.2
        Dropout after each block and each hidden dense layer.
    batch_norm : bool, default=True
        Batch normalisation after each convolution.
    negative_slope : float, default=0.1
        Slope of the LeakyReLU activations for negative inputs.
    head : {"flatten", "global", "attention"}, default="flatten"
        ``"flatten"`` (the seeds): flatten the last block's output, so the dense
        layers see every time step and the input length is fixed. ``"global"``:
        average and max pooling over time, concatenated, then dropout; far fewer
        weights, and the same network takes clips of any length. ``"attention"``:
        the ``"global"`` head plus an attention-weighted mean over time (a
        ``tanh`` layer of 64 units scores each time step; softmax over time).
    head_dropout : float or None, default=None
        Dropout on the pooled vector of the ``"global"`` and ``"attention"`` heads;
        None uses ``dropout``.
    bands : sequence of (int, int) or None, default=None
        Read only these ``(start, stop)`` ranges of the input's bands (rank-2 input),
        e.g. ``((0, 20), (40, 60))`` keeps the first 20 MFCCs and their deltas of a
        40-MFCC-plus-deltas input. None reads every band. Members of an ensemble can so
        see different views of one feature matrix.
    input_norm : {None, "clip"}, default=None
        ``"clip"``: each clip's bands are z-scored over its own frames inside the
        network (cepstral mean and variance normalisation; a parameter-free
        ``LayerNormalization`` over time), so the network sees each band's shape over
        time, not its level or range.

    Returns
    -------
    keras.Model
        Uncompiled model.

    Examples
    --------
    >>> from skser.models import build_cnn1d
    >>> build_cnn1d((22, 157), 8).output_shape  # frame features
    (None, 8)
    >>> build_cnn1d((40,), 8).output_shape  # one pooled vector per clip (recipe S3)
    (None, 8)
    """
    name = "build_cnn1d"
    shape = _check_shape(input_shape, (1, 2), name)
    n_classes = _check_classes(n_classes, name)
    filters = _check_sizes(filters, "filters", name)
    kernel_size = _check_int(kernel_size, "kernel_size", name)
    pool_size = _check_int(pool_size, "pool_size", name)
    dense_units = _check_sizes(dense_units, "dense_units", name, allow_empty=True)
    dropout = _check_rate(dropout, "dropout", name)
    if head not in ("flatten", "global", "attention"):
        raise ValueError(f"{name}: head must be 'flatten', 'global' or 'attention', got {head!r}")
    negative_slope = _check_rate(negative_slope, "negative_slope", name)
    head_dropout = (
        dropout if head_dropout is None else _check_rate(head_dropout, "head_dropout", name)
    )

    if input_norm not in (None, "clip"):
        raise ValueError(f"{name}: input_norm must be None or 'clip', got {input_norm!r}")
    ranges = _check_band_ranges(bands, shape, name)

    inputs = keras.Input(shape, name="features")
    x = inputs
    if ranges:  # Cropping1D crops axis 1, the bands of (batch, bands, frames)
        parts = [layers.Cropping1D((a, shape[0] - b))(x) for a, b in ranges]
        x = parts[0] if len(parts) == 1 else layers.Concatenate(axis=1, name="bands")(parts)
    if len(shape) == 1:
        x = layers.Reshape((shape[0], 1), name="to_sequence")(x)
        steps = shape[0]
    else:  # (bands, frames) -> (frames, bands): time steps x channels
        x = layers.Permute((2, 1), name="to_sequence")(x)
        steps = shape[1]
    if input_norm == "clip":  # per clip and band, over frames
        x = layers.LayerNormalization(axis=1, center=False, scale=False, name="clip_norm")(x)
    for f in filters:
        x = layers.Conv1D(f, kernel_size, padding="same")(x)
        if batch_norm:
            x = layers.BatchNormalization()(x)
        x = layers.LeakyReLU(negative_slope=negative_slope)(x)
        pool = _pool((steps,), pool_size)[0]
        x = layers.MaxPooling1D(pool)(x)
        steps //= pool
        if dropout:
            x = layers.Dropout(dropout)(x)
    if head == "flatten":
        x = layers.Flatten()(x)
    else:
        pooled = [layers.GlobalAveragePooling1D()(x), layers.GlobalMaxPooling1D()(x)]
        if head == "attention":  # softmax over time of a learnt score per time step
            score = layers.Dense(1, name="attention_score")(
                layers.Dense(64, activation="tanh", name="attention_hidden")(x)
            )
            weights = layers.Softmax(axis=1, name="attention_weights")(score)
            weighted = layers.Dot(axes=1, name="attention_pool")([weights, x])
            pooled.append(layers.Flatten()(weighted))
        x = layers.Concatenate(name="global_pool")(pooled)
        if head_dropout:
            x = layers.Dropout(head_dropout)(x)
    for units in dense_units:
        x = layers.Dense(units)(x)
        x = layers.LeakyReLU(negative_slope=negative_slope)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    return keras.Model(inputs, _softmax(x, n_classes), name="cnn1d")


def build_mlp(
    input_shape,
    n_classes,
    *,
    hidden_layer_sizes=(300,),
    dropout=0.0,
    activation="relu",
):
    """Multi-layer perceptron on pooled features (recipe S4's Keras MLP).

    Parameters
    ----------
    input_shape : tuple of int
        One example of any rank; it is flattened.
    n_classes : int
        Number of output classes (>= 2).
    hidden_layer_sizes : tuple of int, default=(300,)
        Units of each hidden layer (as in scikit-learn's ``MLPClassifier``).
    dropout : float, default=0.0
        Dropout after each hidden layer.
    activation : str, default="relu"
        Activation of the hidden layers.

    Returns
    -------
    keras.Model
        Uncompiled model.

    Examples
    --------
    >>> from skser.models import build_mlp
    >>> model = build_mlp((164,), 8, hidden_layer_sizes=(300,))
    >>> model.output_shape, model.count_params()  # 164*300+300 + 300*8+8
    ((None, 8), 51908)
    """
    name = "build_mlp"
    shape = _check_shape(input_shape, (1, 2, 3), name)
    n_classes = _check_classes(n_classes, name)
    hidden = _check_sizes(hidden_layer_sizes, "hidden_layer_sizes", name, allow_empty=True)
    dropout = _check_rate(dropout, "dropout", name)

    inputs = keras.Input(shape, name="features")
    x = inputs if len(shape) == 1 else layers.Flatten()(inputs)
    for units in hidden:
        x = layers.Dense(units, activation=activation)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    return keras.Model(inputs, _softmax(x, n_classes), name="mlp")
