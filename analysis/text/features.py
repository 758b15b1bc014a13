"""Character n-gram counts computed with numpy, for every model in the package.

Why not sklearn's `TfidfVectorizer(analyzer="char_wb")`: its analyzer walks each text in Python,
which for a batch of 10,000 answers costs as much as TextBlob itself, and the pipeline budget is
"at most twice TextBlob". Here the whole batch is one array of code points; the n-grams of every
text and every length are hashed with a few vectorised operations. The result feeds sklearn's
`TfidfTransformer`, so the models stay ordinary TF-IDF + logistic regression.

The n-grams follow `char_wb` rules: words are padded with one space and no n-gram spans a space
inside it. Hashing is deterministic (no Python `hash()`), so pickled models stay valid across
processes. Like a vectorizer's vocabulary, `fit` keeps only the hashed n-grams seen in training:
the classifier then has tens of thousands of weights per class instead of a million, which is
what makes training take a second rather than ten.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

__all__ = ["CharNgrams"]

_MULT = np.uint64(1_000_003)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SPACE = 32
#: Characters per chunk: bounds the temporary arrays when long answers arrive in bulk.
_CHUNK_CHARS = 200_000


class CharNgrams(TransformerMixin, BaseEstimator):
    """Texts → sparse counts of hashed char_wb n-grams (`lo`..`hi`) seen during `fit`.

    `preprocessor`, when given, is a module-level function applied to each text first (so the
    transformer still pickles); otherwise texts are lower-cased.
    """

    def __init__(self, lo: int = 1, hi: int = 4, n_bits: int = 20, preprocessor=None):
        self.lo = lo
        self.hi = hi
        self.n_bits = n_bits
        self.preprocessor = preprocessor

    def fit(self, texts, y=None):
        """Remember which hashed n-grams occur in `texts`; others are dropped at transform."""
        self.columns_ = np.unique(self._hashed(texts, None).indices).astype(np.int32)
        self.n_features_out_ = int(self.columns_.size)
        self.__dict__.pop("_lookup", None)
        return self

    def transform(self, texts):
        """Return a CSR matrix (len(texts) × n-grams seen in fit) of counts as float32."""
        return self._hashed(texts, self._lookup_table())

    def _lookup_table(self) -> np.ndarray:
        """Hashed column → training column (-1 if unseen); rebuilt after unpickling, so a
        stored model holds only the seen columns, not a table of 2**n_bits entries."""
        lookup = self.__dict__.get("_lookup")
        if lookup is None:
            lookup = np.full(1 << self.n_bits, -1, dtype=np.int32)
            lookup[self.columns_] = np.arange(self.columns_.size, dtype=np.int32)
            self._lookup = lookup
        return lookup

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_lookup", None)
        return state

    def _hashed(self, texts, lookup) -> sparse.csr_matrix:
        """Counts over the columns of `lookup` (all 2**n_bits hashed columns when None)."""
        prep = self.preprocessor or str.lower
        joined = (" ".join(prep(t).split()) for t in texts)
        docs = [f" {doc} " if doc else "" for doc in joined]
        blocks, start, size = [], 0, 0
        for i, doc in enumerate(docs):
            size += len(doc)
            if size >= _CHUNK_CHARS:
                blocks.append(self._counts(docs[start : i + 1], lookup))
                start, size = i + 1, 0
        if start < len(docs) or not docs:
            blocks.append(self._counts(docs[start:], lookup))
        return blocks[0] if len(blocks) == 1 else sparse.vstack(blocks, format="csr")

    def _counts(self, docs: list[str], lookup) -> sparse.csr_matrix:
        """Hash the n-grams of a chunk of padded documents in one pass per n-gram length."""
        n_features = (1 << self.n_bits) if lookup is None else self.n_features_out_
        lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
        if not docs or lengths.sum() == 0:
            return sparse.csr_matrix((len(docs), n_features), dtype=np.float32)
        codes = np.frombuffer("".join(docs).encode("utf-32-le"), dtype=np.uint32)
        codes = codes.astype(np.uint64)
        total = codes.size
        ends = np.repeat(np.cumsum(lengths), lengths)  # end offset of each char's document
        doc_of = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
        is_space = codes == _SPACE
        spaces_before = np.concatenate(([0], np.cumsum(is_space)))  # spaces in codes[:i]
        positions = np.arange(total, dtype=np.int64)
        rolling = np.zeros(total, dtype=np.uint64)
        rows, cols = [], []
        shift = np.uint64(64 - self.n_bits)
        for n in range(1, min(self.hi, total) + 1):
            # rolling[i] now covers codes[i : i + n]
            rolling[: total - n + 1] = rolling[: total - n + 1] * _MULT + codes[n - 1 :]
            if n < self.lo:
                continue
            start = positions[: total - n + 1]
            ok = start + n <= ends[: total - n + 1]
            if n == 1:
                ok &= ~is_space[: total - n + 1]
            else:  # no space strictly inside the n-gram: it stays within one padded word
                ok &= spaces_before[start + n - 1] - spaces_before[start + 1] == 0
            keep = start[ok]
            if keep.size == 0:
                continue
            seeded = rolling[keep] + np.uint64(n)
            col = ((seeded * _MIX) >> shift).astype(np.int64)
            row = doc_of[keep]
            if lookup is not None:  # keep only n-grams seen in training, renumbered
                col = lookup[col]
                row = row[col >= 0]
                col = col[col >= 0]
            cols.append(col)
            rows.append(row)
        if not rows:
            return sparse.csr_matrix((len(docs), n_features), dtype=np.float32)
        row = np.concatenate(rows)
        col = np.concatenate(cols)
        data = np.ones(row.size, dtype=np.float32)
        matrix = sparse.csr_matrix((data, (row, col)), shape=(len(docs), n_features))
        matrix.sum_duplicates()
        return matrix
