"""skser's Keras classifiers: one per seed architecture, plus one for any build function.

All of them share :class:`~skser.models._adapter.SERKerasClassifierBase`: string
labels in and out (``classes_``), ``predict_proba`` columns in ``classes_`` order,
``class_weight="balanced"``, early stopping on a stratified internal validation split,
``history_`` as a plain dict, reproducible training for a fixed ``random_state``, and
fast prediction on small batches.
"""

from ._adapter import SERKerasClassifierBase, init_param_names
from ._builders import build_cnn1d, build_cnn2d, build_crnn, build_mlp

__all__ = [
    "CNNClassifier",
    "CRNNClassifier",
    "CNN1DClassifier",
    "KerasMLPClassifier",
    "KerasBuildFnClassifier",
]

_TRAINING_DOC = """
    optimizer : str, default="adam"
        Keras optimizer ("adam", "adamw", "nadam", "rmsprop", "sgd", "adagrad",
        "adadelta" or "adamax"), created with ``learning_rate``.
    learning_rate : float, default={lr}
        Step size of the optimizer.
    lr_schedule : {{"constant", "cosine"}}, default="constant"
        ``"cosine"`` decays the learning rate from ``learning_rate`` towards 0 over
        ``epochs`` (half a cosine, updated each epoch).
    label_smoothing : float, default=0.0
        Share of each training target spread evenly over all classes (the loss becomes
        categorical cross-entropy on smoothed one-hot targets); discourages
        over-confident networks.
    batch_size : int, default={bs}
        Examples per gradient step (and per prediction batch).
    epochs : int, default={epochs}
        Maximum number of passes over the training data.
    class_weight : None, "balanced" or dict, default=None
        Per-class loss weights; "balanced" weights classes inversely to their
        frequency in the training data.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified, seeded by
        ``random_state``), stop when its loss has not improved for
        ``n_iter_no_change`` epochs, and restore the weights of the best epoch. With
        speaker ids (``fit(X, y, groups=g)``, or routed by a pipeline) the held-out part
        is whole speakers, listed in ``validation_speakers_``.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping`` is True.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    random_state : int, RandomState or None, default=None
        Seed for weight initialisation, shuffling, dropout and the validation split.
        With an int, training on CPU is reproducible. Global random states are set
        only while training and restored afterwards.
    verbose : int, default=0
        0 is silent, 1 prints one line per epoch, 2 shows Keras's progress bar.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``fit``, in the order of ``predict_proba``'s columns.
    n_classes_ : int
        Number of classes.
    n_features_in_ : int
        Size of the second axis of X (features, or bands for 3-D input).
    X_shape_ : tuple
        Shape of the X seen in ``fit`` (the model's input is ``X_shape_[1:]``).
    model_ : keras.Model
        The trained network.
    history_ : dict of str to list of float
        Per-epoch ``loss`` and ``accuracy`` (and ``val_loss``/``val_accuracy`` with
        early stopping).
    n_iter_ : int
        Number of epochs run.
    best_epoch_ : int
        Epoch (1-based) whose weights the model holds.
"""


def _doc(cls, *, lr, bs, epochs):
    """Append the shared training parameters and attributes to the Parameters section."""
    doc = cls.__doc__.rstrip()
    head, sep, examples = doc.partition("\n\n    Examples\n")
    training = _TRAINING_DOC.format(lr=lr, bs=bs, epochs=epochs).rstrip()
    cls.__doc__ = head + "\n" + training + "\n" + (sep + examples if sep else "")
    return cls


class CNNClassifier(SERKerasClassifierBase):
    """2-D CNN on spectrogram images (recipe S0), as a scikit-learn classifier.

    Defaults follow S0: three conv + max-pool blocks (32, 64, 128 filters), a
    128-unit dense layer, softmax; Adam 1e-3, batch 32, 30 epochs. The network is
    :func:`~skser.models.build_cnn2d`; its input shape is read from ``X``.

    Parameters
    ----------
    filters : tuple of int, default=(32, 64, 128)
        Filters of each convolution block.
    kernel_size : int, default=3
        Square convolution kernel.
    pool_size : int, default=2
        Max-pooling window.
    dense_units : tuple of int, default=(128,)
        Hidden dense layers.
    dropout : float, default=0.3
        Dropout after each hidden dense layer.
    batch_norm : bool, default=False
        Batch normalisation after each convolution.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat(["angry", "sad"], 10)
    >>> X = rng.normal(size=(20, 16, 16)).astype("float32")
    >>> X[y == "angry"] += 1.0  # a learnable difference
    >>> from skser.models import CNNClassifier
    >>> clf = CNNClassifier(filters=(8,), dense_units=(16,), epochs=5, random_state=0)
    >>> clf = clf.fit(X, y)  # (clips, bands, frames) features
    >>> clf.predict_proba(X[:2]).shape, clf.classes_.tolist()
    ((2, 2), ['angry', 'sad'])
    """

    def __init__(
        self,
        *,
        filters=(32, 64, 128),
        kernel_size=3,
        pool_size=2,
        dense_units=(128,),
        dropout=0.3,
        batch_norm=False,
        optimizer="adam",
        learning_rate=1e-3,
        batch_size=32,
        epochs=30,
        class_weight=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        lr_schedule="constant",
        label_smoothing=0.0,
        random_state=None,
        verbose=0,
    ):
        self.filters = filters
        self.kernel_size = kernel_size
        self.pool_size = pool_size
        self.dense_units = dense_units
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.lr_schedule = lr_schedule
        self.label_smoothing = label_smoothing
        self.random_state = random_state
        self.verbose = verbose

    def _builder(self):
        return build_cnn2d, {
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "pool_size": self.pool_size,
            "dense_units": self.dense_units,
            "dropout": self.dropout,
            "batch_norm": self.batch_norm,
        }


class CRNNClassifier(SERKerasClassifierBase):
    """Convolutional-recurrent network (recipe S1), as a scikit-learn classifier.

    Defaults are S1's network and training: Conv2D 32 + BN + MaxPool, Conv2D 64 + BN
    + MaxPool, Permute + Reshape to time steps, LSTM 128 (sequences), Dropout 0.3,
    LSTM 64, Dropout 0.3, softmax; Adam 1e-4, batch 32, 100 epochs. The network is
    :func:`~skser.models.build_crnn`; its input shape is read from ``X``
    (``(n_bands, n_frames)`` features, time on the last axis).

    Parameters
    ----------
    conv_filters : tuple of int, default=(32, 64)
        Filters of each convolution block.
    kernel_size : int, default=3
        Square convolution kernel.
    pool_size : int, default=2
        Max-pooling window.
    lstm_units : tuple of int, default=(128, 64)
        Units of the stacked LSTMs.
    dropout : float, default=0.3
        Dropout after each LSTM.
    batch_norm : bool, default=True
        Batch normalisation after each convolution.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat(["angry", "sad"], 10)
    >>> X = rng.normal(size=(20, 16, 16)).astype("float32")
    >>> X[y == "angry"] += 1.0  # a learnable difference
    >>> from skser.models import CRNNClassifier
    >>> clf = CRNNClassifier(conv_filters=(8,), lstm_units=(8,), epochs=3, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> clf.predict(X[:3]).shape, len(clf.history_["loss"])
    ((3,), 3)
    """

    def __init__(
        self,
        *,
        conv_filters=(32, 64),
        kernel_size=3,
        pool_size=2,
        lstm_units=(128, 64),
        dropout=0.3,
        batch_norm=True,
        optimizer="adam",
        learning_rate=1e-4,
        batch_size=32,
        epochs=100,
        class_weight=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        lr_schedule="constant",
        label_smoothing=0.0,
        random_state=None,
        verbose=0,
    ):
        self.conv_filters = conv_filters
        self.kernel_size = kernel_size
        self.pool_size = pool_size
        self.lstm_units = lstm_units
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.lr_schedule = lr_schedule
        self.label_smoothing = label_smoothing
        self.random_state = random_state
        self.verbose = verbose

    def _builder(self):
        return build_crnn, {
            "conv_filters": self.conv_filters,
            "kernel_size": self.kernel_size,
            "pool_size": self.pool_size,
            "lstm_units": self.lstm_units,
            "dropout": self.dropout,
            "batch_norm": self.batch_norm,
        }


class CNN1DClassifier(SERKerasClassifierBase):
    """1-D CNN over frame features (recipes S2 and S3), as a scikit-learn classifier.

    Conv1D blocks with batch normalisation, LeakyReLU, max-pooling and dropout, then
    flatten, dense and softmax (:func:`~skser.models.build_cnn1d`). 3-D input
    ``(n_bands, n_frames)`` is convolved along frames; 2-D input (pooled features) is
    convolved along the feature vector with one channel, as in S3.

    Parameters
    ----------
    filters : tuple of int, default=(64, 128, 128)
        Filters of each convolution block.
    kernel_size : int, default=5
        Convolution kernel length.
    pool_size : int, default=2
        Max-pooling window.
    dense_units : tuple of int, default=(128,)
        Hidden dense layers.
    dropout : float, default=0.2
        Dropout after each block and hidden dense layer.
    batch_norm : bool, default=True
        Batch normalisation after each convolution.
    head : {"flatten", "global", "attention"}, default="flatten"
        ``"flatten"``: the dense layers see every time step (fixed input length);
        ``"global"``: average and max pooling over time; ``"attention"``: those plus
        a learnt attention-weighted mean over time (see
        :func:`~skser.models.build_cnn1d`).
    head_dropout : float or None, default=None
        Dropout on the pooled vector of the ``"global"`` and ``"attention"`` heads;
        None uses ``dropout``.
    bands : sequence of (int, int) or None, default=None
        Read only these ``(start, stop)`` band ranges of the input (see
        :func:`~skser.models.build_cnn1d`).
    input_norm : {None, "clip"}, default=None
        ``"clip"``: z-score each clip's bands over its frames inside the network.
    negative_slope : float, default=0.1
        Slope of the LeakyReLU activations for negative inputs (0 is a ReLU).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat(["angry", "sad"], 10)
    >>> X = rng.normal(size=(20, 22, 30)).astype("float32")
    >>> X[y == "angry"] += 1.0  # a learnable difference
    >>> from skser.models import CNN1DClassifier
    >>> clf = CNN1DClassifier(filters=(8, 8), dense_units=(), epochs=5, random_state=0)
    >>> clf = clf.fit(X, y)  # 22 frame features x 30 frames (convolved along frames)
    >>> clf.predict_proba(X[:1]).sum().round(5)
    np.float32(1.0)
    """

    def __init__(
        self,
        *,
        filters=(64, 128, 128),
        kernel_size=5,
        pool_size=2,
        dense_units=(128,),
        dropout=0.2,
        batch_norm=True,
        head="flatten",
        head_dropout=None,
        bands=None,
        input_norm=None,
        negative_slope=0.1,
        optimizer="adam",
        learning_rate=1e-3,
        batch_size=32,
        epochs=50,
        class_weight=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        lr_schedule="constant",
        label_smoothing=0.0,
        random_state=None,
        verbose=0,
    ):
        self.filters = filters
        self.kernel_size = kernel_size
        self.pool_size = pool_size
        self.dense_units = dense_units
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.head = head
        self.head_dropout = head_dropout
        self.bands = bands
        self.input_norm = input_norm
        self.negative_slope = negative_slope
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.lr_schedule = lr_schedule
        self.label_smoothing = label_smoothing
        self.random_state = random_state
        self.verbose = verbose

    def _builder(self):
        return build_cnn1d, {
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "pool_size": self.pool_size,
            "dense_units": self.dense_units,
            "dropout": self.dropout,
            "batch_norm": self.batch_norm,
            "head": self.head,
            "head_dropout": self.head_dropout,
            "negative_slope": self.negative_slope,
            "bands": self.bands,
            "input_norm": self.input_norm,
        }


class KerasMLPClassifier(SERKerasClassifierBase):
    """Keras multi-layer perceptron on pooled features (recipe S4), as a classifier.

    Input of any rank is flattened (:func:`~skser.models.build_mlp`); the usual input
    is the output of :class:`~skser.features.FramePooling`.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(300,)
        Units of each hidden layer.
    dropout : float, default=0.0
        Dropout after each hidden layer.
    activation : str, default="relu"
        Activation of the hidden layers.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat(["angry", "sad"], 10)
    >>> X = rng.normal(size=(20, 164)).astype("float32")
    >>> X[y == "angry"] += 1.0  # a learnable difference
    >>> from skser.models import KerasMLPClassifier
    >>> clf = KerasMLPClassifier(hidden_layer_sizes=(16,), epochs=20, random_state=0).fit(X, y)
    >>> float(clf.score(X, y)) > 0.8
    True
    """

    def __init__(
        self,
        *,
        hidden_layer_sizes=(300,),
        dropout=0.0,
        activation="relu",
        optimizer="adam",
        learning_rate=1e-3,
        batch_size=64,
        epochs=200,
        class_weight=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        lr_schedule="constant",
        label_smoothing=0.0,
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.dropout = dropout
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.lr_schedule = lr_schedule
        self.label_smoothing = label_smoothing
        self.random_state = random_state
        self.verbose = verbose

    def _builder(self):
        return build_mlp, {
            "hidden_layer_sizes": self.hidden_layer_sizes,
            "dropout": self.dropout,
            "activation": self.activation,
        }


class KerasBuildFnClassifier(SERKerasClassifierBase):
    """A scikit-learn classifier around YOUR Keras build function.

    ``build_fn`` is called at fit time with the keyword arguments it declares among
    ``input_shape`` (one example's shape, read from ``X``), ``n_classes`` and
    ``meta`` (a dict with ``input_shape``, ``n_classes`` and ``classes``), plus every
    extra keyword argument given to this constructor. Those extra arguments are
    ordinary estimator parameters, so ``GridSearchCV`` can search them. The function
    returns a ``keras.Model`` with one softmax output of ``n_classes`` units,
    uncompiled (compiled here with ``optimizer``/``learning_rate`` and sparse
    categorical cross-entropy) or compiled with a sparse categorical loss.

    ``build_fn`` must be importable (a module-level function) for the fitted
    classifier to be pickled and loaded in another process.

    Parameters
    ----------
    build_fn : callable
        ``build_fn(input_shape, n_classes, **params) -> keras.Model``.
    **build_params
        Hyper-parameters passed to ``build_fn`` (e.g. ``units=64``).

    Examples
    --------
    >>> import keras
    >>> def my_net(input_shape, n_classes, units=32):
    ...     inputs = keras.Input(input_shape)
    ...     x = keras.layers.Flatten()(inputs)
    ...     x = keras.layers.Dense(units, activation="relu")(x)
    ...     return keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(x))
    >>> clf = KerasBuildFnClassifier(my_net, units=64, epochs=5)
    >>> sorted(k for k in clf.get_params() if k in ("units", "epochs"))
    ['epochs', 'units']
    """

    def __init__(
        self,
        build_fn=None,
        *,
        optimizer="adam",
        learning_rate=1e-3,
        batch_size=32,
        epochs=10,
        class_weight=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        lr_schedule="constant",
        label_smoothing=0.0,
        random_state=None,
        verbose=0,
        **build_params,
    ):
        self.build_fn = build_fn
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.lr_schedule = lr_schedule
        self.label_smoothing = label_smoothing
        self.random_state = random_state
        self.verbose = verbose
        vars(self).update(build_params)

    def _builder(self):
        if not callable(self.build_fn):
            raise TypeError(
                f"KerasBuildFnClassifier: build_fn must be a function returning a keras.Model, "
                f"got {self.build_fn!r}"
            )
        own = set(init_param_names(type(self)))
        extra = {k: getattr(self, k) for k in self._get_param_names() if k not in own}
        return self.build_fn, extra


_doc(CNNClassifier, lr="1e-3", bs=32, epochs=30)
_doc(CRNNClassifier, lr="1e-4", bs=32, epochs=100)
_doc(CNN1DClassifier, lr="1e-3", bs=32, epochs=50)
_doc(KerasMLPClassifier, lr="1e-3", bs=64, epochs=200)
_doc(KerasBuildFnClassifier, lr="1e-3", bs=32, epochs=10)
