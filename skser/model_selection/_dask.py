"""Cross-validation folds and grid candidates on a Dask cluster, through joblib."""

import contextlib
import logging
import os

logger = logging.getLogger(__name__)

__all__ = ["dask_scheduler", "bound_tensorflow_threads", "WORKER_THREAD_ENV"]

#: Environment of the workers of a local cluster: one thread each for TensorFlow and the
#: BLAS/OpenMP libraries, so that n workers use n cores, not n times all of them.
WORKER_THREAD_ENV = {
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    # Dask's statistical profiler samples each task's stack every 10 ms while holding the
    # GIL: on 2 cores it cost a pure-Python task about a quarter of its speed.
    "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
}


def bound_tensorflow_threads(n):
    """Use at most ``n`` TensorFlow threads in this process (a worker's share of its
    machine). Before TensorFlow starts, through its environment variables; after, with
    ``tf.config.threading`` when it has not run anything yet; else left as it is.
    Called by :func:`~skser.model_selection.cross_validate_ser` at the start of a fold
    in a local worker process (it changes that process's TensorFlow, so it has no
    example here).
    """
    import sys

    n = str(int(n))
    if "tensorflow" not in sys.modules:
        os.environ.setdefault("TF_NUM_INTRAOP_THREADS", n)
        os.environ.setdefault("TF_NUM_INTEROP_THREADS", n)
        return
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(int(n))
        tf.config.threading.set_inter_op_parallelism_threads(int(n))
    except RuntimeError:  # already initialised: its threads are fixed for this process
        pass


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise ImportError(
            "a Dask scheduler needs dask.distributed: pip install 'skser[dask]'"
        ) from None
    return distributed


@contextlib.contextmanager
def dask_scheduler(scheduler="local", *, n_workers=None, timeout=10.0):
    """Run skser's joblib-parallel work on a Dask cluster inside the ``with`` block.

    :func:`~skser.model_selection.cross_validate_ser` with ``n_jobs`` sends each fold to
    a worker, and :func:`~skser.model_selection.make_grid_search` with ``n_jobs`` each
    (candidate, inner fold) fit, through joblib's ``dask`` backend. What a worker gets
    is the pipeline (pickled) and the fold's file paths, so the workers must see the
    audio files at the same paths (shared storage). Results equal a local run with the
    same ``random_state``; fold files are still written, by this process, as folds
    finish; a worker that dies mid-fold has its task re-run by Dask on another worker
    (up to ``distributed.scheduler.allowed-failures`` times, 3 by default).

    Parameters
    ----------
    scheduler : str, default="local"
        ``"local"``: a ``distributed.LocalCluster`` of worker processes on this machine
        (closed at the end of the block); else the address of a running scheduler, e.g.
        ``"tcp://10.0.0.5:8786"``.
    n_workers : int, optional
        Workers of a local cluster (default: one per core), one thread each, with
        TensorFlow and BLAS bounded to one thread (:data:`WORKER_THREAD_ENV`).
    timeout : float, default=10.0
        Seconds to wait for a remote scheduler before giving up.

    Yields
    ------
    distributed.Client

    Raises
    ------
    ConnectionError
        The scheduler cannot be reached; the message names the address.

    Examples
    --------
    >>> import tempfile
    >>> from skser.datasets import make_synthetic_speech
    >>> from skser.model_selection import cross_validate_ser, dask_scheduler
    >>> from skser.pipeline import make_ser_pipeline
    >>> corpus = make_synthetic_speech(n_actors=4, emotions=["angry", "sad"],
    ...                                n_clips_per_emotion=4, duration=0.5,
    ...                                random_state=0, out_dir=tempfile.mkdtemp())
    >>> pipe = make_ser_pipeline("pooled", "logreg", random_state=0)
    >>> with dask_scheduler("local", n_workers=2):  # doctest: +SKIP
    ...     result = cross_validate_ser(pipe, corpus.filenames, corpus.target,
    ...                                 corpus.groups, cv=2, n_jobs=-1, random_state=0)

    An address nobody listens on fails clearly:

    >>> with dask_scheduler("tcp://127.0.0.1:9", timeout=1):
    ...     pass
    Traceback (most recent call last):
    ...
    ConnectionError: cannot reach the Dask scheduler at 'tcp://127.0.0.1:9' within 1 s ...
    """
    import joblib

    distributed = _import_distributed()
    cluster = None
    stack = contextlib.ExitStack()
    if scheduler == "local":
        import dask

        n = n_workers or os.cpu_count() or 1
        # distributed starts its workers with MALLOC_TRIM_THRESHOLD_=65536, which makes
        # glibc hand memory back to the system after every large array: measured here, a
        # fit of the pooled-MFCC SVM took 1.5-2.4 s in such a process against 1.0-1.4 s
        # without it. The worker's own `env` is applied after start, too late for glibc,
        # so the variable is left out of the environment the workers start with.
        spawn_env = {
            k: v
            for k, v in dask.config.get("distributed.nanny.pre-spawn-environ", {}).items()
            if k != "MALLOC_TRIM_THRESHOLD_"
        }
        # (kept for the whole block: a nanny restarting a lost worker reads it again)
        stack.enter_context(dask.config.set({"distributed.nanny.pre-spawn-environ": spawn_env}))
        cluster = distributed.LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            env=dict(WORKER_THREAD_ENV),
        )
        client = distributed.Client(cluster)
    else:
        if not isinstance(scheduler, str) or "://" not in scheduler:
            raise ValueError(
                f"scheduler must be 'local' or an address such as 'tcp://host:8786', got "
                f"{scheduler!r}"
            )
        try:
            client = distributed.Client(scheduler, timeout=f"{timeout}s")
        except (OSError, TimeoutError) as exc:
            raise ConnectionError(
                f"cannot reach the Dask scheduler at {scheduler!r} within {timeout:g} s "
                f"({type(exc).__name__}: {exc}); is it running, and is the address right?"
            ) from None
    logger.info("Dask: %s", client)
    try:
        with joblib.parallel_config(backend="dask"):
            yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
        stack.close()
