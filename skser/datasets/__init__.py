"""Corpus loaders, the synthetic corpus, the downloader and the corpus audit."""

from ._audit import CorpusAudit, audit_corpus
from ._combine import concat_corpora, load_corpora
from ._crema_d import load_crema_d
from ._csv import load_csv_corpus
from ._emodb import load_emodb
from ._fetch import RAVDESS_SPEECH_ARCHIVE, fetch_ravdess, safe_extract_zip
from ._home import get_data_home
from ._labels import EMOTIONS, EXTRA_EMOTIONS, VOCABULARY, check_emotion_labels, select_emotions
from ._ravdess import load_ravdess, parse_ravdess_name
from ._savee import load_savee
from ._synthetic import make_synthetic_speech
from ._tess import load_tess

#: Corpus name -> loader, as accepted by :func:`load_corpora` and the CLI.
LOADERS = {
    "ravdess": load_ravdess,
    "crema_d": load_crema_d,
    "tess": load_tess,
    "savee": load_savee,
    "emodb": load_emodb,
}

__all__ = [
    "EMOTIONS",
    "EXTRA_EMOTIONS",
    "VOCABULARY",
    "LOADERS",
    "RAVDESS_SPEECH_ARCHIVE",
    "CorpusAudit",
    "audit_corpus",
    "check_emotion_labels",
    "concat_corpora",
    "fetch_ravdess",
    "get_data_home",
    "load_corpora",
    "load_crema_d",
    "load_csv_corpus",
    "load_emodb",
    "load_ravdess",
    "load_savee",
    "load_tess",
    "make_synthetic_speech",
    "parse_ravdess_name",
    "safe_extract_zip",
    "select_emotions",
]
