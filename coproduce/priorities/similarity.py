"""Similarity suggestions for merging submissions: which other texts say much the same?

The default is lexical and needs nothing installed: TF-IDF over word unigrams and bigrams
(lower case, common English words dropped, a light plural/-ing/-ed suffix strip), sublinear
term frequency, L2-normalised vectors and cosine similarity, all in the standard library.

An optional semantic backend is used when `COPRODUCE_SIMILARITY=semantic` and
`COPRODUCE_SEMANTIC_MODEL` names a local directory holding a sentence-transformers model (for
example the all-MiniLM-L6-v2 weights that a PyPI package ships) and `sentence_transformers` is
installed. The model is loaded with `local_files_only=True` and Hugging Face offline mode, so
nothing is ever downloaded at run time; if any of that is missing, the lexical method is used.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

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


class LexicalIndex:
    """TF-IDF vectors for a fixed list of texts."""

    name = "lexical (TF-IDF over words and word pairs)"

    def __init__(self, texts: Sequence[str]) -> None:
        counts = [Counter(terms(text)) for text in texts]
        df: Counter[str] = Counter()
        for count in counts:
            df.update(count.keys())
        n = len(texts)
        self.idf = {term: math.log((1 + n) / (1 + k)) + 1 for term, k in df.items()}
        self.vectors = [self._vector(count) for count in counts]

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
        self, query: str, k: int = 5, exclude: int | None = None
    ) -> list[tuple[int, float]]:
        """Indices of the k most similar texts to `query`, with scores, best first."""
        q = self.vector_for(query)
        scored = [(i, self.cosine(q, v)) for i, v in enumerate(self.vectors) if i != exclude and v]
        scored = [(i, s) for i, s in scored if s > 0]
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[:k]


class SemanticIndex:
    """Sentence embeddings from a local model (optional extra)."""

    def __init__(self, texts: Sequence[str], model: Any) -> None:
        self.name = "semantic (local sentence-embedding model)"
        self.model = model
        self.vectors = model.encode(list(texts), normalize_embeddings=True)

    def nearest(
        self, query: str, k: int = 5, exclude: int | None = None
    ) -> list[tuple[int, float]]:
        q = self.model.encode([query], normalize_embeddings=True)[0]
        scored = [
            (i, float(sum(a * b for a, b in zip(q, v, strict=True))))
            for i, v in enumerate(self.vectors)
            if i != exclude
        ]
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[:k]


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
