"""Similarity suggestions for merging submissions: which other texts say much the same?

The default is lexical and needs nothing installed: TF-IDF over word unigrams and bigrams
(lower case, common English words dropped, a light plural/-ing/-ed suffix strip), sublinear
term frequency, L2-normalised vectors and cosine similarity, all in the standard library.

An optional semantic backend is used when `COPRODUCE_SIMILARITY=semantic` and
`COPRODUCE_SEMANTIC_MODEL` names a local directory holding a sentence-transformers model (for
example the all-MiniLM-L6-v2 weights that a PyPI package ships) and `sentence_transformers` is
installed. The model is loaded with `local_files_only=True` and Hugging Face offline mode, so
nothing is ever downloaded at run time; if any of that is missing, the lexical method is used.

Building an index costs about a second over 10,000 submissions, so the staff pages do not build
one per request: `submission_index` and `question_index` keep the last index of a few
consultations per process (an LRU), each under a version read from the database, and build
again only when that version changed. The version of the submissions index is (count, largest
pk, latest `updated`) of the consultation's submissions, one aggregate over an index: pks are
never reused, so an added or deleted submission changes the count or the largest pk, and an
edited one (saved through the ORM) its `updated`. The index covers every submission of the
consultation; which of them may be suggested (not yet merged, in scope) is asked per request,
so merging or marking out of scope needs no rebuild. Indicative questions are few and their
texts are loaded anyway, so their index is kept under the texts themselves. A new version is
visible to every process at once because the key comes from the database; no cross-process
signal is needed.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import os
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Container, Hashable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coproduce.priorities.models import Consultation

log = logging.getLogger(__name__)

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "people",
        "patients",
        "patient",
        "think",
        "more",
        "also",
        "get",
        "much",
        "many",
    ]
)

Vector = dict[str, float]


def _stem(word: str) -> str:
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + keep
    return word


def terms(text: str) -> list[str]:
    words = [_stem(w) for w in WORD.findall(text.lower().replace("\u2019", "'"))]
    words = [w for w in words if w not in STOPWORDS and len(w) > 1]
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def _best(scored: list[tuple[int, float]], k: int) -> list[tuple[int, float]]:
    return heapq.nsmallest(k, scored, key=lambda pair: (-pair[1], pair[0]))


class LexicalIndex:
    """TF-IDF vectors for a fixed list of texts, with an inverted index (term -> the texts that
    hold it, and its weight there) so a query only touches the texts sharing a term with it."""

    name = "lexical (TF-IDF over words and word pairs)"

    def __init__(self, texts: Sequence[str]) -> None:
        counts = [Counter(terms(text)) for text in texts]
        df: Counter[str] = Counter()
        for count in counts:
            df.update(count.keys())
        n = len(texts)
        self.idf = {term: math.log((1 + n) / (1 + k)) + 1 for term, k in df.items()}
        self.vectors = [self._vector(count) for count in counts]
        self.postings: dict[str, tuple[list[int], list[float]]] = {}
        for i, vector in enumerate(self.vectors):
            for term, weight in vector.items():
                posting = self.postings.get(term)
                if posting is None:
                    posting = self.postings[term] = ([], [])
                posting[0].append(i)
                posting[1].append(weight)

    def _vector(self, count: Counter[str]) -> Vector:
        vec = {t: (1 + math.log(c)) * self.idf.get(t, 0.0) for t, c in count.items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {t: v / norm for t, v in vec.items()} if norm else {}

    def vector_for(self, text: str) -> Vector:
        return self._vector(Counter(terms(text)))

    @staticmethod
    def cosine(a: Vector, b: Vector) -> float:
        if len(a) > len(b):
            a, b = b, a
        return sum(v * b.get(t, 0.0) for t, v in a.items())

    def nearest(
        self,
        query: str,
        k: int = 5,
        exclude: int | None = None,
        among: Container[int] | None = None,
    ) -> list[tuple[int, float]]:
        """Indices of the k most similar texts to `query`, with scores, best first; only
        indices in `among` when it is given."""
        scores: dict[int, float] = {}
        get = scores.get
        for term, weight in self.vector_for(query).items():
            posting = self.postings.get(term)
            if posting is None or not weight:
                continue
            for i, v in zip(posting[0], posting[1], strict=True):
                scores[i] = get(i, 0.0) + weight * v
        scored = [
            (i, s)
            for i, s in scores.items()
            if s > 0 and i != exclude and (among is None or i in among)
        ]
        return _best(scored, k)


class SemanticIndex:
    """Sentence embeddings from a local model (optional extra)."""

    def __init__(self, texts: Sequence[str], model: Any) -> None:
        self.name = "semantic (local sentence-embedding model)"
        self.model = model
        self.vectors = model.encode(list(texts), normalize_embeddings=True)

    def nearest(
        self,
        query: str,
        k: int = 5,
        exclude: int | None = None,
        among: Container[int] | None = None,
    ) -> list[tuple[int, float]]:
        q = self.model.encode([query], normalize_embeddings=True)[0]
        scored = [
            (i, float(sum(a * b for a, b in zip(q, v, strict=True))))
            for i, v in enumerate(self.vectors)
            if i != exclude and (among is None or i in among)
        ]
        return _best(scored, k)


@lru_cache(maxsize=1)
def _semantic_model() -> Any:
    path = os.environ.get("COPRODUCE_SEMANTIC_MODEL", "")
    if os.environ.get("COPRODUCE_SIMILARITY", "lexical") != "semantic" or not path:
        return None
    if not os.path.isdir(path):
        log.warning("COPRODUCE_SEMANTIC_MODEL %s is not a directory; using lexical", path)
        return None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        log.warning("sentence-transformers is not installed; using lexical similarity")
        return None
    try:
        return SentenceTransformer(path, local_files_only=True)
    except Exception:  # a broken local model must not break the page
        log.exception("could not load the semantic model at %s; using lexical", path)
        return None


def build_index(texts: Sequence[str]) -> LexicalIndex | SemanticIndex:
    model = _semantic_model()
    if model is not None:
        return SemanticIndex(texts, model)
    return LexicalIndex(texts)


def backend_name() -> str:
    return "semantic" if _semantic_model() is not None else "lexical"


# -- indexes kept per consultation ---------------------------------------------------------------

MAX_CACHED = 8  # slots: a submissions index and a questions index for each of 4 consultations
_lock = threading.Lock()
_cache: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()
_building: dict[Hashable, threading.Lock] = {}


def cached(slot: Hashable, version: Hashable, build: Callable[[], Any]) -> Any:
    """The value kept in `slot` if it was built at `version`, else `build()`'s, kept in its
    place (an older version of the slot is dropped, and the least recently used slot beyond
    MAX_CACHED). One thread builds a slot at a time; others asking for it wait for its value.
    Values are shared between requests and threads: read-only."""
    with _lock:
        entry = _cache.get(slot)
        if entry is not None and entry[0] == version:
            _cache.move_to_end(slot)
            return entry[1]
        building = _building.setdefault(slot, threading.Lock())
    with building:
        with _lock:
            entry = _cache.get(slot)
            if entry is not None and entry[0] == version:
                return entry[1]
        value = build()
        with _lock:
            _cache[slot] = (version, value)
            _cache.move_to_end(slot)
            while len(_cache) > MAX_CACHED:
                _cache.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _cache.clear()


@dataclass
class SubmissionIndex:
    """An index over every submission of a consultation, in pk order."""

    index: LexicalIndex | SemanticIndex
    pks: list[int]
    position: dict[int, int] = field(init=False)

    def __post_init__(self) -> None:
        self.position = {pk: i for i, pk in enumerate(self.pks)}

    def nearest(self, query: str, k: int, among: Sequence[int]) -> list[tuple[int, float]]:
        """The pks of the k submissions most like `query` among the pks `among`, with scores."""
        allowed = {self.position[pk] for pk in among if pk in self.position}
        if not allowed:
            return []
        return [(self.pks[i], s) for i, s in self.index.nearest(query, k, among=allowed)]


def submission_index(consultation: Consultation) -> SubmissionIndex:
    """The consultation's submissions index, built only when its submissions changed."""
    from django.db.models import Count, Max

    from coproduce.priorities.models import Submission

    rows = Submission.objects.filter(consultation_id=consultation.pk)
    state = rows.order_by().aggregate(n=Count("pk"), last=Max("pk"), changed=Max("updated"))
    version = (
        consultation.public_id,  # a re-created database can reuse the pk, never the public id
        backend_name(),
        state["n"],
        state["last"],
        state["changed"],
    )

    def build() -> SubmissionIndex:
        pairs = list(rows.order_by("pk").values_list("pk", "text"))
        return SubmissionIndex(build_index([t for _, t in pairs]), [pk for pk, _ in pairs])

    result: SubmissionIndex = cached(("submissions", consultation.pk), version, build)
    return result


def question_index(
    consultation: Consultation, texts: Sequence[str]
) -> LexicalIndex | SemanticIndex:
    """An index over the consultation's indicative questions' `texts` (which the caller has
    loaded anyway), kept under those texts."""
    version = (consultation.public_id, backend_name(), tuple(texts))
    result: LexicalIndex | SemanticIndex = cached(
        ("questions", consultation.pk), version, lambda: build_index(texts)
    )
    return result
