"""Folds and grid candidates on a Dask cluster (a loopback LocalCluster with 2 worker
processes) and in local worker processes: the same scores as a sequential run, the
work done on the workers, fold files written as folds finish, and an interrupted
distributed run resumed from them."""

import json
import os
import socket
import sys

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from skser.datasets import make_synthetic_speech  # noqa: E402
from skser.model_selection import (  # noqa: E402
    cross_validate_ser,
    dask_scheduler,
    make_grid_search,
)
from skser.pipeline import make_ser_pipeline  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_synthetic_speech(
        n_actors=6,
        emotions=["angry", "happy", "sad"],
        n_clips_per_emotion=4,
        duration=0.6,
        random_state=0,
        out_dir=tmp_path_factory.mktemp("corpus"),
    )


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of 2 worker processes; each test connects by its address (the
    fixture itself leaves joblib's backend alone)."""
    from skser.model_selection._dask import WORKER_THREAD_ENV

    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            env=dict(WORKER_THREAD_ENV),
        ) as local,
        distributed.Client(local) as client,
    ):
        yield client, set(client.run(os.getpid).values())


def test_dask_scheduler_local_starts_bounded_workers_and_restores_joblib():
    from joblib.parallel import get_active_backend

    with dask_scheduler("local", n_workers=2) as client:
        assert "Dask" in type(get_active_backend()[0]).__name__
        env = client.run(lambda: os.environ.get("TF_NUM_INTRAOP_THREADS"))
        assert list(env.values()) == ["1", "1"]  # 2 workers, one TensorFlow thread each
        trim = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
        assert list(trim.values()) == [None, None]  # glibc's own (fast) trimming
        assert client.cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    assert "Dask" not in type(get_active_backend()[0]).__name__


def _pipe():
    return make_ser_pipeline("pooled", "logreg", random_state=0)


def _cv(corpus, **kw):
    return cross_validate_ser(
        _pipe(), corpus.filenames, corpus.target, corpus.groups, cv=3, random_state=0, **kw
    )


def _scores(result):
    return [(f["fold"], f["uar"], f["y_pred"], f["test_groups"]) for f in result.folds]


@pytest.fixture(scope="module")
def sequential(corpus):
    return _cv(corpus)


def test_cv_on_the_cluster_equals_the_local_run_and_ran_on_the_workers(
    cluster, corpus, sequential, tmp_path
):
    client, pids = cluster
    assert len(pids) == 2 and os.getpid() not in pids
    with dask_scheduler(client.scheduler.address):  # the running cluster, by address
        result = _cv(corpus, n_jobs=-1, out_dir=tmp_path)
    assert _scores(result) == _scores(sequential)
    assert result.summary["uar_mean"] == sequential.summary["uar_mean"]
    ran_on = {int(f["worker"].rsplit("/", 1)[1]) for f in result.folds}
    assert ran_on <= pids and ran_on  # every fold ran on a worker, none here
    for f in result.folds:  # each fold file as written when the fold finished
        assert json.loads((tmp_path / f"fold_{f['fold']:02d}.json").read_text())["uar"] == f["uar"]
    assert sorted(p.name for p in tmp_path.glob("fold_*.json")) == [
        "fold_01.json",
        "fold_02.json",
        "fold_03.json",
    ]


def test_grid_of_4_candidates_on_the_cluster_equals_the_local_search(cluster, corpus):
    client, pids = cluster
    grid = {"clf__C": [0.01, 0.1, 1.0, 10.0]}

    def search():
        s = make_grid_search(_pipe(), grid, cv=3, random_state=0, n_jobs=-1, refit=False)
        return s.fit(corpus.filenames, corpus.target, groups=corpus.groups)

    local = make_grid_search(_pipe(), grid, cv=3, random_state=0, refit=False)
    local.fit(corpus.filenames, corpus.target, groups=corpus.groups)
    with dask_scheduler(client.scheduler.address), distributed.get_task_stream(client) as ts:
        remote = search()
    assert {t["worker"] for t in ts.data} == set(client.scheduler_info()["workers"])
    assert remote.best_params_ == local.best_params_
    np.testing.assert_array_equal(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    assert len(remote.cv_results_["params"]) == 4


@pytest.mark.filterwarnings("ignore:.*tasks which were still being processed:UserWarning")
def test_an_interrupted_distributed_run_resumes_from_its_fold_files(
    cluster, corpus, sequential, tmp_path
):
    client, _ = cluster

    class Stop(Exception):
        pass

    def stop_after_first(record, done, total, elapsed):
        if done == 1:
            raise Stop  # e.g. Ctrl-C after the first fold came back

    with dask_scheduler(client.scheduler.address):
        with pytest.raises(Stop):
            _cv(corpus, n_jobs=-1, out_dir=tmp_path, on_fold=stop_after_first)
    kept = sorted(tmp_path.glob("fold_*.json"))
    assert len(kept) >= 1  # the finished fold is on disk
    stamps = {p.name: p.stat().st_mtime_ns for p in kept}
    with dask_scheduler(client.scheduler.address):
        resumed = _cv(corpus, n_jobs=-1, out_dir=tmp_path, resume=True)
    assert _scores(resumed) == _scores(sequential)
    for name, stamp in stamps.items():  # reused, not recomputed
        assert (tmp_path / name).stat().st_mtime_ns == stamp


def test_local_worker_processes_equal_the_sequential_run(corpus, sequential):
    result = _cv(corpus, n_jobs=2)
    assert _scores(result) == _scores(sequential)
    assert {f["worker"] for f in result.folds} != {f["worker"] for f in sequential.folds}


def test_an_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(
        ConnectionError, match=r"cannot reach the Dask scheduler at 'tcp://127\.0\.0\.1:9'"
    ):
        with dask_scheduler("tcp://127.0.0.1:9", timeout=1):
            pass
    with pytest.raises(ValueError, match="scheduler must be 'local' or an address"):
        with dask_scheduler("my-cluster"):
            pass


def test_workers_that_cannot_see_the_audio_name_the_file(cluster, corpus, tmp_path):
    client, _ = cluster
    files = [str(tmp_path / "elsewhere" / os.path.basename(f)) for f in corpus.filenames]
    with dask_scheduler(client.scheduler.address):
        with pytest.raises(Exception, match="elsewhere") as info:
            cross_validate_ser(
                _pipe(), files, corpus.target, corpus.groups, cv=3, random_state=0, n_jobs=-1
            )
    assert "file not found" in str(info.value)
    # the worker whose storage lacks the file is named: one of the cluster's processes
    workers = {f"{socket.gethostname()}/{pid}" for pid in client.run(os.getpid).values()}
    named = str(info.value).split(" on worker ", 1)[1].split(":", 1)[0]
    assert named in workers, (named, workers)


def test_cli_scheduler_local_equals_the_local_run(tmp_path, capsys):
    """`skser evaluate --scheduler local` (the command line, in this process): the same
    per-fold scores as without a scheduler, the folds computed on worker processes."""
    from skser.cli import main

    def run(name, *extra):
        args = ["evaluate", "--corpus", "synthetic", "--features", "pooled", "--model"]
        args += ["logreg", "--n-splits", "3", "--out", str(tmp_path), "--name", name]
        args += ["--set", "data.n_actors=6", "--set", "data.n_clips_per_emotion=2"]
        args += ["--set", "data.clip_seconds=1.0", *extra]
        capsys.readouterr()
        code = main(args)
        out, err = capsys.readouterr()
        assert code == 0, err[-3000:]
        return out, json.loads((tmp_path / name / "metrics.json").read_text())

    _, local = run("local")
    out, remote = run("dask", "--scheduler", "local")
    assert "folds run on the Dask cluster local" in out
    assert [f["uar"] for f in remote["per_fold"]] == [f["uar"] for f in local["per_fold"]]

    def workers(name):
        folds = sorted((tmp_path / name / "folds").glob("fold_*.json"))
        assert len(folds) == 3
        return {json.loads(p.read_text())["worker"] for p in folds}

    assert len(workers("local")) == 1  # the command's own process
    assert workers("dask").isdisjoint(workers("local"))


from sklearn.base import BaseEstimator, ClassifierMixin  # noqa: E402


class _DieOnce(ClassifierMixin, BaseEstimator):
    """A classifier whose first fit, anywhere, kills the process it runs in (a worker
    lost mid-fold); later fits are a plain logistic regression."""

    def __init__(self, marker=None):
        self.marker = marker

    def fit(self, X, y):
        from pathlib import Path

        from sklearn.linear_model import LogisticRegression

        marker = Path(self.marker)
        if not marker.exists():
            marker.write_text(str(os.getpid()))
            os._exit(1)  # the worker process dies without a word
        self.model_ = LogisticRegression(max_iter=2000).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_worker_that_dies_mid_fold_has_its_fold_rerun(cluster, corpus, tmp_path):
    import cloudpickle

    from skser.features import MFCC, PooledFeatures
    from skser.io import AudioLoader
    from skser.pipeline import SERPipeline

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers lack tests/
    client, pids = cluster
    marker = tmp_path / "died"
    pipe = SERPipeline(
        [
            ("load", AudioLoader()),
            ("features", PooledFeatures(MFCC(n_mfcc=13))),
            ("clf", _DieOnce(str(marker))),
        ]
    )
    with dask_scheduler(client.scheduler.address):
        result = cross_validate_ser(
            pipe,
            corpus.filenames,
            corpus.target,
            corpus.groups,
            cv=3,
            random_state=0,
            n_jobs=-1,
            out_dir=tmp_path / "folds",
        )
    assert int(marker.read_text()) in pids  # a worker died ...
    assert len(result.folds) == 3 and len(list((tmp_path / "folds").glob("fold_*.json"))) == 3
    client.wait_for_workers(2, timeout=60)  # ... and its nanny started a new one
