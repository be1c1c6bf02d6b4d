"""The one module that knows scikeras's internals.

:class:`SERKerasClassifierBase` subclasses scikeras's ``KerasClassifier`` and fixes
what scikeras 0.13 (its last release) gets wrong or slow under scikit-learn >= 1.7
and Keras 3:

- tags: scikeras declares tags with the removed ``_more_tags`` API and lists
  ``BaseEstimator`` before ``ClassifierMixin``, so ``is_classifier`` is False and
  ``cross_val_score(cv=5)`` silently uses unstratified ``KFold``. Here
  ``__sklearn_tags__`` declares a classifier.
- ``predict_proba`` on one example returns ``(1, n_classes)``, not ``(n_classes,)``.
- prediction skips ``keras.Model.predict`` (tens of milliseconds of per-call set-up)
  and calls the model's compiled predict step on batches directly.
- parameters are the constructor's signature, as in scikit-learn (scikeras reads
  every public attribute as a parameter), and ``set_params`` rejects unknown names.
- early stopping on a stratified, seeded internal validation split with the best
  weights restored (Keras's ``validation_split`` takes the *last* rows, unshuffled);
  given speaker ids (``fit(..., groups=)``, routed from a pipeline), it holds out
  whole speakers.
- input and label errors name the estimator and the expected and received shapes.
- ``history_`` is a plain ``dict`` of float lists; ``sample_weight`` passed by the
  caller is never modified in place (scikeras multiplies it by the class weights).

Nothing else in skser imports scikeras. scikeras's seeding context is not used: it leaves TensorFlow op determinism switched on
for the whole process (see :func:`scoped_seed`). Note that importing scikeras (which this
module does, and so :mod:`skser.models`) makes Keras models picklable by replacing
``keras.Model.__reduce__``; that is scikeras's own import-time behaviour.
"""

import contextlib
import inspect
import logging
import math
import numbers
import random
import warnings

import keras
import numpy as np
from scikeras.wrappers import KerasClassifier
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import ClassifierTags
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)

from .._store import StoreRows
from .._validation import check_finite, check_scalar_param

logger = logging.getLogger(__name__)

__all__ = ["SERKerasClassifierBase", "init_param_names"]

# Batches up to this size go through an XLA-compiled forward pass: Keras's recurrent
# layers run a while-loop whose per-step overhead dominates single-clip prediction on
# CPU (CRNN, one 4 s clip: ~9 ms through predict_on_batch, ~4 ms compiled; larger
# batches are faster without XLA). See benchmarks/bench_models.py.
_XLA_MAX_BATCH = 2

_OPTIMIZERS = ("adam", "adamw", "nadam", "rmsprop", "sgd", "adagrad", "adadelta", "adamax")


@contextlib.contextmanager
def scoped_seed(seed):
    """Seed Python's, NumPy's and TensorFlow's global generators; restore them on exit.

    scikeras's own ``tensorflow_random_state`` also sets ``TF_DETERMINISTIC_OPS=1``,
    which TensorFlow caches the first time it reads it: op determinism then stays on
    for the rest of the process and every later unseeded fit fails with "Random ops
    require a seed". This context leaves op determinism alone (training on CPU is
    reproducible without it; see the tests).
    """
    import tensorflow as tf

    try:
        from tensorflow.python.eager import context as tf_context

        tf_seed = tf_context.global_seed()
    except (ImportError, AttributeError):  # pragma: no cover - private TF API moved
        tf_seed = None
    py_state, np_state = random.getstate(), np.random.get_state()  # noqa: NPY002
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (Keras code draws from the global generator)
    tf.random.set_seed(seed)
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)  # noqa: NPY002
        tf.random.set_seed(tf_seed)


def init_param_names(cls):
    """Named parameters of ``cls.__init__`` (not ``self``, ``*args`` or ``**kwargs``)."""
    return [
        p.name
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]


def _cosine(clf):
    """Per-epoch half-cosine decay from ``clf.learning_rate`` over ``clf.epochs``."""
    lr0, total = float(clf.learning_rate), int(clf.epochs)

    def schedule(epoch, lr=None):
        return lr0 * 0.5 * (1.0 + math.cos(math.pi * min(epoch, total) / total))

    return schedule


class StoreBatches(keras.utils.PyDataset):
    """Batches of a :class:`~skser._store.StoreRows` (features on disk) for
    ``keras.Model.fit``: the rows in a new seeded order each epoch (``seed=None``: in
    order, for validation), each batch read from disk when Keras asks for it."""

    def __init__(self, X, y, sample_weight, batch_size, *, seed):
        super().__init__()
        self.X, self.y, self.w = X, np.asarray(y), sample_weight
        self.batch_size = int(batch_size)
        self.rng = None if seed is None else np.random.default_rng(seed)
        self.order = np.arange(len(self.y))
        self.on_epoch_end()

    def __len__(self):
        return -(-len(self.y) // self.batch_size)

    def __getitem__(self, i):
        idx = self.order[i * self.batch_size : (i + 1) * self.batch_size]
        xb, yb = self.X[idx].read(), self.y[idx]
        return (xb, yb) if self.w is None else (xb, yb, np.asarray(self.w)[idx])

    def on_epoch_end(self):
        if self.rng is not None:
            self.order = self.rng.permutation(len(self.y))


class SERKerasClassifierBase(KerasClassifier):
    """Base of skser's Keras classifiers (scikeras ``KerasClassifier`` made strict).

    Subclasses define ``__init__`` with keyword-only parameters, which must include
    the training parameters below, and implement ``_builder()`` returning
    ``(build_fn, kwargs)``: ``build_fn(input_shape, n_classes, **kwargs)`` returns a
    ``keras.Model`` (uncompiled, or compiled with a sparse categorical loss).

    Training parameters read by this base: ``optimizer``, ``learning_rate``,
    ``lr_schedule``, ``label_smoothing`` (optional, default 0),
    ``batch_size``, ``epochs``, ``class_weight``, ``early_stopping``,
    ``validation_fraction``, ``n_iter_no_change``, ``random_state``, ``verbose``.
    """

    # A chunked fit may pass a StoreRows (features on disk) to fit: see skser._chunked.
    _reads_feature_store = True

    # Settings scikeras reads as attributes; here they are constants, not parameters.
    warm_start = False
    model = None
    build_fn = None
    metrics = None
    callbacks = None
    validation_split = 0.0
    validation_batch_size = None
    shuffle = True
    run_eagerly = False

    @property
    def loss(self):
        """Cross-entropy on integer labels; on one-hot labels with ``label_smoothing``.

        scikeras one-hot encodes the targets exactly when this is a
        ``CategoricalCrossentropy``, which is what label smoothing needs.
        """
        smoothing = getattr(self, "label_smoothing", 0.0)
        if smoothing:
            return keras.losses.CategoricalCrossentropy(label_smoothing=float(smoothing))
        return "sparse_categorical_crossentropy"

    # ------------------------------------------------------------ sklearn protocol
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags(poor_score=True, multi_class=True)
        tags.target_tags.required = True
        tags.input_tags.allow_nan = False
        return tags

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_xla_predict", None)  # a compiled TensorFlow function; rebuilt on use
        return state

    def __sklearn_is_fitted__(self):
        return hasattr(self, "model_") and hasattr(self, "classes_")

    def _get_param_names(self):
        """Constructor parameters, plus extra keyword parameters stored by ``__init__``."""
        names = set(init_param_names(type(self)))
        signature = inspect.signature(type(self).__init__)
        if any(p.kind == p.VAR_KEYWORD for p in signature.parameters.values()):
            names |= {k for k in vars(self) if not k.startswith("_") and not k.endswith("_")}
        return sorted(names)

    def set_params(self, **params):
        """Set parameters (scikit-learn semantics: unknown names raise ``ValueError``)."""
        return BaseEstimator.set_params(self, **params)

    def __repr__(self, N_CHAR_MAX=700):
        return BaseEstimator.__repr__(self, N_CHAR_MAX=N_CHAR_MAX)

    # ------------------------------------------------------------------- checks
    def _check_training_params(self):
        name = type(self).__name__
        for param in ("batch_size", "epochs", "n_iter_no_change"):
            check_scalar_param(name, param, getattr(self, param), "int", low=1)
        if not isinstance(self.learning_rate, numbers.Real) or not self.learning_rate > 0:
            raise ValueError(f"{name}: learning_rate must be > 0, got {self.learning_rate!r}")
        if not (
            isinstance(self.validation_fraction, numbers.Real) and 0 < self.validation_fraction < 1
        ):
            raise ValueError(
                f"{name}: validation_fraction must be in (0, 1), got {self.validation_fraction!r}"
            )
        if self.lr_schedule not in ("constant", "cosine"):
            raise ValueError(
                f"{name}: lr_schedule must be 'constant' or 'cosine', got {self.lr_schedule!r}"
            )
        smoothing = getattr(self, "label_smoothing", 0.0)
        if not (
            isinstance(smoothing, numbers.Real)
            and not isinstance(smoothing, bool)
            and 0.0 <= smoothing < 1.0
        ):
            raise ValueError(f"{name}: label_smoothing must be in [0, 1), got {smoothing!r}")
        if self.optimizer not in _OPTIMIZERS:
            raise ValueError(
                f"{name}: optimizer must be one of {', '.join(_OPTIMIZERS)}; got {self.optimizer!r}"
            )
        cw = self.class_weight
        if not (cw is None or cw == "balanced" or isinstance(cw, dict)):
            raise ValueError(
                f"{name}: class_weight must be None, 'balanced' or a dict {{label: weight}}, "
                f"got {cw!r}"
            )

    def _check_y(self, y):
        name = type(self).__name__
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError(
                f"{name} predicts one label per example: y must be 1-D (n_examples,), "
                f"got shape {y.shape}"
            )
        if y.dtype == object:
            kinds = {type(v).__name__ for v in y}
            if len(kinds) > 1:
                raise ValueError(
                    f"{name}: y mixes label types ({', '.join(sorted(kinds))}); use one type, "
                    "for example emotion names as strings"
                )
        kind = type_of_target(y, input_name="y")
        if kind not in ("binary", "multiclass"):
            raise ValueError(
                f"Unknown label type: {kind!r}. {name} needs class labels (strings such as "
                f"'angry', or integers), got y of dtype {y.dtype} with values like "
                f"{y[:3].tolist()}"
            )
        if np.unique(y).size < 2:
            raise ValueError(f"{name} needs at least 2 classes in y, got only {np.unique(y)!r}")
        return column_or_1d(y)

    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False):
        """Check X (2-D to 4-D, finite, numeric) and y; record or compare shapes."""
        name = type(self).__name__
        if y is not None and reset:
            y = self._check_y(y)
            self.target_type_ = type_of_target(y)
            self.y_dtype_ = y.dtype
            self.y_ndim_ = y.ndim
        elif y is not None:
            y = column_or_1d(np.asarray(y))
        if isinstance(X, StoreRows):  # a chunked fit's features on disk: checked when written
            self._check_shape(X, reset)
        elif X is not None:
            X = check_array(
                X,
                allow_nd=True,
                dtype=np.dtype(keras.backend.floatx()),
                ensure_all_finite=False,
                estimator=self,
                input_name="X",
            )
            check_finite(X, name=name)
            self._check_shape(X, reset)
        if X is not None and y is not None:
            check_consistent_length(X, y)
        return X, y

    def _check_shape(self, X, reset):
        """At most 4-D; record the example shape at fit, compare it after."""
        name = type(self).__name__
        if X.ndim > 4:
            raise ValueError(
                f"{name} expects X of shape (n_examples, n_features) or "
                f"(n_examples, n_bands, n_frames[, n_channels]); got shape {X.shape}"
            )
        if reset:
            self.X_dtype_ = X.dtype
            self.X_shape_ = X.shape
            self.n_features_in_ = X.shape[1]
        elif X.shape[1:] != tuple(self.X_shape_[1:]):
            if X.ndim == 2 and len(self.X_shape_) == 2:
                msg = (
                    f"X has {X.shape[1]} features, but {name} is expecting "
                    f"{self.X_shape_[1]} features as input."
                )
            else:
                msg = (
                    f"X has examples of shape {X.shape[1:]}, but {name} is expecting "
                    f"examples of shape {tuple(self.X_shape_[1:])} as in fit."
                )
            raise ValueError(
                msg + " Compute features with the same settings (sr, duration, hop_length, "
                "n_mels, ...) as at fit time."
            )

    # -------------------------------------------------------------------- build
    def _builder(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _draw_seed(self):
        """The integer seed of this fit (None when ``random_state`` is None).

        scikeras draws ``RandomState(...).randint(low=1)``, which is always 0; here a
        RandomState instance gives a seed in [0, 2**31 - 1) and advances, as in
        scikit-learn.
        """
        rs = self.random_state
        if rs is None:
            self._seed = None
        elif isinstance(rs, numbers.Integral) and not isinstance(rs, bool):
            self._seed = int(rs)
        elif isinstance(rs, np.random.RandomState):
            self._seed = int(rs.randint(np.iinfo(np.int32).max))
        else:
            raise ValueError(
                f"{type(self).__name__}: random_state must be None, an int or a "
                f"numpy.random.RandomState, got {rs!r}"
            )

    def _seeded(self, offset=0):
        """Scoped seeding of Python, NumPy and TensorFlow (restored on exit).

        ``offset`` (the first epoch of a ``partial_fit`` call) keeps successive
        one-epoch calls from repeating the same shuffle.
        """
        seed = getattr(self, "_seed", None)
        return contextlib.nullcontext() if seed is None else scoped_seed(seed + offset)

    def _build_keras_model(self):
        name = type(self).__name__
        self._xla_predict = None
        build_fn, kwargs = self._builder()
        kwargs = dict(kwargs)
        meta = {
            "input_shape": tuple(int(d) for d in self.X_shape_[1:]),
            "n_classes": int(self.n_classes_),
            "classes": self.classes_,
        }
        params = inspect.signature(build_fn).parameters
        takes_any = any(p.kind == p.VAR_KEYWORD for p in params.values())
        for key in ("input_shape", "n_classes"):
            if key in params or takes_any:
                kwargs[key] = meta[key]
        if "meta" in params:
            kwargs["meta"] = meta
        with self._seeded():
            model = build_fn(**kwargs)
        fn_name = getattr(build_fn, "__name__", repr(build_fn))
        if not isinstance(model, keras.Model):
            raise TypeError(f"{name}: {fn_name} must return a keras.Model, got {type(model)!r}")
        n_out = model.outputs[0].shape[-1] if len(model.outputs) == 1 else None
        if n_out != self.n_classes_:
            raise ValueError(
                f"{name}: the model from {fn_name} must have one output of {self.n_classes_} "
                f"units (one per class); its outputs have shapes "
                f"{[tuple(o.shape) for o in model.outputs]}"
            )
        if model.compiled and getattr(self, "label_smoothing", 0.0):
            raise ValueError(
                f"{name}: label_smoothing needs an uncompiled model (skser compiles it with "
                f"a smoothed cross-entropy); {fn_name} returned a compiled one"
            )
        if not model.compiled:
            optimizer = keras.optimizers.get(
                {
                    "class_name": self.optimizer,
                    "config": {"learning_rate": float(self.learning_rate)},
                }
            )
            model.compile(optimizer=optimizer, loss=self.loss, metrics=["accuracy"])
        return model

    # ---------------------------------------------------------------------- fit
    # Speaker ids reach fit by default (metadata routing): early stopping holds out speakers.
    __metadata_request__fit = {"groups": True}

    def fit(self, X, y, sample_weight=None, groups=None):
        """Build a new Keras model and train it on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_examples, n_features) or (n_examples, n_bands, n_frames)
            Features, e.g. the output of a skser feature transformer.
        y : array-like of shape (n_examples,)
            Class labels (strings or integers).
        sample_weight : array-like of shape (n_examples,), default=None
            Per-example weights, multiplied by the ``class_weight`` weights.
        groups : array-like of shape (n_examples,), default=None
            Speaker of each example. With ``early_stopping``, the validation part then
            holds out whole speakers (stratified by class where possible), so training
            stops when the network stops improving on speakers it has not heard.
            Ignored without early stopping.

        Returns
        -------
        self
        """
        self._check_training_params()
        self._draw_seed()
        y = self._check_y(y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, np.empty((len(y), 0)), copy=True)
        self._fit_groups = None
        if groups is not None:
            from .._groups import check_groups

            self._fit_groups = check_groups(groups, len(y), name=type(self).__name__)
        try:
            super().fit(X, y, sample_weight=sample_weight)
        finally:
            del self._fit_groups
        return self

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one more epoch (building the model on the first call).

        Parameters
        ----------
        X : array-like of shape (n_examples, ...)
            Features.
        y : array-like of shape (n_examples,)
            Class labels.
        classes : array-like, default=None
            All classes, required on the first call if ``y`` lacks some.
        sample_weight : array-like of shape (n_examples,), default=None
            Per-example weights.

        Returns
        -------
        self
        """
        self._check_training_params()
        if not hasattr(self, "_seed"):
            self._draw_seed()
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, np.empty((len(y), 0)), copy=True)
        super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)
        return self

    def _split_speakers(self, groups, y):
        """Validation rows: whole speakers, about ``validation_fraction`` of the clips.

        Stratified by class where the classes allow (``StratifiedGroupKFold``); None
        when fewer than two speakers make a hold-out impossible.
        """
        from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

        n_speakers = len(np.unique(groups))
        n_splits = min(n_speakers, max(2, int(round(1.0 / self.validation_fraction))))
        if n_speakers < 2:
            warnings.warn(
                f"{type(self).__name__}: early stopping got speaker ids of only one speaker, "
                "so it cannot hold out speakers; it validates on held-out clips instead",
                UserWarning,
                stacklevel=4,
            )
            return None
        _, counts = np.unique(y, return_counts=True)
        idx = np.arange(len(y))
        if counts.min() >= n_splits:
            splitter = StratifiedGroupKFold(n_splits, shuffle=True, random_state=self._seed)
        else:
            splitter = GroupKFold(n_splits)
        train, val = next(splitter.split(idx, y, groups))
        return train, val

    def _split_validation(self, X, y, sample_weight):
        """Seeded hold-out for early stopping: whole speakers when groups were given,
        else stratified clips (falls back to unstratified)."""
        groups = getattr(self, "_fit_groups", None)
        split = self._split_speakers(groups, y) if groups is not None else None
        if split is None:
            self.validation_speakers_ = None
            train, val = self._split_clips(y)
        else:
            train, val = split
            self.validation_speakers_ = sorted(map(str, np.unique(groups[val])))
        w_train = None if sample_weight is None else sample_weight[train]
        val_data = (X[val], y[val], None if sample_weight is None else sample_weight[val])
        if not isinstance(X, StoreRows) and sample_weight is None:
            val_data = val_data[:2]
        return X[train], y[train], w_train, val_data

    def _split_clips(self, y):
        """Validation rows: ``validation_fraction`` of the clips, stratified where possible."""
        n_val = int(np.ceil(self.validation_fraction * len(y)))
        if n_val < 1 or len(y) - n_val < 1:
            raise ValueError(
                f"{type(self).__name__}: early_stopping with validation_fraction="
                f"{self.validation_fraction} leaves no training or validation examples out "
                f"of {len(y)}"
            )
        _, counts = np.unique(y, return_counts=True)
        stratify = y if counts.min() >= 2 and n_val >= counts.size else None
        return train_test_split(
            np.arange(len(y)), test_size=n_val, stratify=stratify, random_state=self._seed
        )

    def _fit_keras_model(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        if self.early_stopping:
            X, y, sample_weight, val_data = self._split_validation(X, y, sample_weight)
            callbacks = [
                keras.callbacks.EarlyStopping(
                    monitor="val_loss",
                    patience=self.n_iter_no_change,
                    restore_best_weights=True,
                )
            ]
        else:
            val_data, callbacks = None, []
        if self.lr_schedule == "cosine":
            callbacks.append(keras.callbacks.LearningRateScheduler(_cosine(self)))
        verbose = int(self.verbose or 0)
        data = {"x": X, "y": y, "sample_weight": sample_weight, "batch_size": self.batch_size}
        if isinstance(X, StoreRows):  # batches read from disk, shuffled each epoch
            seed = int(self._seed or 0) + initial_epoch
            data = {"x": StoreBatches(X, y, sample_weight, self.batch_size, seed=seed)}
            if val_data is not None:
                val_data = StoreBatches(*val_data, self.batch_size, seed=None)
        with self._seeded(offset=initial_epoch):
            hist = self.model_.fit(
                **data,
                epochs=initial_epoch + epochs,
                initial_epoch=initial_epoch,
                validation_data=val_data,
                callbacks=callbacks,
                shuffle=True,
                verbose={0: 0, 1: 2}.get(verbose, 1),
            )
        history = {k: [float(v) for v in vals] for k, vals in hist.history.items()}
        if warm_start and initial_epoch > 0 and hasattr(self, "history_"):
            history = {k: self.history_.get(k, []) + v for k, v in history.items()}
        self.history_ = history
        self.n_iter_ = len(history["loss"])
        if "val_loss" in history:
            self.best_epoch_ = int(np.argmin(history["val_loss"])) + 1
        else:
            self.best_epoch_ = self.n_iter_
        if verbose:
            logger.info(
                "%s: trained %d epochs, final loss %.4f",
                type(self).__name__,
                self.n_iter_,
                history["loss"][-1],
            )

    # ------------------------------------------------------------------ predict
    def _predict_raw(self, X, **kwargs):
        """Class probabilities without ``keras.Model.predict``'s per-call set-up.

        One or two examples go through an XLA-compiled forward pass; larger inputs
        through the model's compiled predict step in chunks of ``batch_size``.
        """
        check_is_fitted(self)
        X, _ = self._validate_data(X=X, reset=False)
        out = self._predict_small(X) if len(X) <= _XLA_MAX_BATCH else None
        if out is None:
            out = self._predict_batches(X)
        if out.ndim == 2 and out.shape[1] == 1 and self.n_classes_ == 2:  # one sigmoid unit
            out = np.column_stack([1.0 - out[:, 0], out[:, 0]])
        return out

    def _predict_batches(self, X):
        chunk = max(1, int(self.batch_size))
        out = None
        for start in range(0, len(X), chunk):
            batch = X[start : start + chunk]
            n = len(batch)
            if len(X) > chunk and n < chunk:  # pad the last batch: one traced shape, no retracing
                batch = np.concatenate([batch, np.zeros((chunk - n, *X.shape[1:]), X.dtype)])
            part = np.asarray(self.model_.predict_on_batch(batch))[:n]
            if out is None:
                out = np.empty((len(X), *part.shape[1:]), dtype=part.dtype)
            out[start : start + chunk] = part
        return out

    def _predict_small(self, X):
        """XLA-compiled forward pass for one or two examples (None if unavailable)."""
        fn = getattr(self, "_xla_predict", None)
        if fn is False:
            return None
        if fn is None:
            if keras.backend.backend() != "tensorflow":
                self._xla_predict = False
                return None
            import tensorflow as tf

            model = self.model_
            fn = self._xla_predict = tf.function(
                lambda x: model(x, training=False), jit_compile=True, reduce_retracing=False
            )
        try:
            return np.asarray(fn(X))
        except Exception as exc:  # an op XLA cannot compile: use Keras's predict step
            logger.debug("%s: XLA prediction unavailable (%s)", type(self).__name__, exc)
            self._xla_predict = False
            return None

    def predict_proba(self, X):
        """Class probabilities, shape ``(n_examples, n_classes)`` in ``classes_`` order.

        Parameters
        ----------
        X : array-like of shape (n_examples, ...)
            Features with the per-example shape seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_examples, n_classes)
        """
        return self._predict_raw(X)

    def predict(self, X):
        """Most probable class of each example.

        Parameters
        ----------
        X : array-like of shape (n_examples, ...)
            Features with the per-example shape seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_examples,)
            Labels from ``classes_``.
        """
        proba = self._predict_raw(X)
        return np.asarray(self.classes_)[np.argmax(proba, axis=1)]

    def score(self, X, y, sample_weight=None):
        """Accuracy on ``(X, y)`` (scikit-learn's classifier default).

        Parameters
        ----------
        X : array-like of shape (n_examples, ...)
            Features.
        y : array-like of shape (n_examples,)
            True labels.
        sample_weight : array-like of shape (n_examples,), default=None
            Weights.

        Returns
        -------
        float
        """
        from sklearn.metrics import accuracy_score

        return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))
