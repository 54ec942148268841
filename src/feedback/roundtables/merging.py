"""Merging near-identical feedback points: notes often repeat a point (two
note-takers, or a point restated in a summary), and counting it twice would
inflate that theme for that event. A point joins the earliest earlier point it
is alike (``similarity`` at or above ``MERGE_THRESHOLD``), keeping every text.

The pairs are found with array arithmetic that rules out the pairs that cannot
be alike before the exact measures run on the rest: thousands of points in one
event's notes stay a fraction of a second.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Protocol, TypeVar

import numpy as np

MERGE_THRESHOLD = 0.85


class _Mergeable(Protocol):
    """What merging needs of a point (``read.Point``): its text, and the texts, response and actions
    folded into it."""

    seq: int
    text: str
    merged: list[str]
    response: str
    actions: list[str]


P = TypeVar("P", bound=_Mergeable)


def normalised(text: str) -> str:
    """A text as points are compared: lower case, punctuation as spaces, single spaces."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def word_entries(word_sets: Iterable[Iterable[str]], vocab: dict[str, int]) -> tuple[list[int], list[int]]:
    """(row, column) of every word of every text in a texts-by-words matrix, for a sparse product
    that counts shared words; words not yet in ``vocab`` get the next column."""
    rows, cols = [], []
    for i, words in enumerate(word_sets):
        for word in words:
            rows.append(i)
            cols.append(vocab.setdefault(word, len(vocab)))
    return rows, cols


def similarity(a: str, b: str) -> float:
    """How alike two points are: the larger of the character ratio (Indel, as difflib's
    ratio but exact and in C++) and the word-set Jaccard."""
    from rapidfuzz import fuzz

    na, nb = normalised(a), normalised(b)
    if not na or not nb:
        return 0.0
    wa, wb = set(na.split()), set(nb.split())
    jaccard = len(wa & wb) / len(wa | wb)
    return max(jaccard, fuzz.ratio(na, nb) / 100)


def _similar_pairs(texts: list[str], threshold: float):
    """Sparse boolean matrix, row ``i`` marking every ``j < i`` with ``similarity(texts[i],
    texts[j]) >= threshold`` (the lower triangle is what merging reads).

    Each measure first rules out, with array arithmetic, the pairs that cannot
    reach the threshold (lengths, character counts, word-set sizes), and is
    computed exactly only on the rest: comparing all pairs character by
    character cost seconds at 2,000 points.
    """
    from scipy import sparse

    normals = [normalised(t) for t in texts]
    n = len(normals)
    filled = np.flatnonzero([bool(t) for t in normals])  # an empty text is alike nothing
    kept = [normals[i] for i in filled]
    pairs = [_alike_characters(kept, int(np.ceil(threshold * 100 - 1e-9))), _alike_words(kept, threshold)]
    later = filled[np.concatenate([p[0] for p in pairs])]
    earlier = filled[np.concatenate([p[1] for p in pairs])]
    alike = sparse.csr_matrix((np.ones(len(later), dtype=bool), (np.maximum(later, earlier),
                                                                 np.minimum(later, earlier))), shape=(n, n))
    alike.sum_duplicates()
    return alike


def _alike_first(normals: list[str], threshold: float, found: _Earliest, first: int = 64) -> None:
    """Every text against the ``first`` texts (in the notes' order), by both exact measures.

    Cheap (``first`` comparisons a text), and when many points are near-copies
    of an early one it finds their earliest alike text at once, so the block
    comparisons after it can leave those pairs out (``_Earliest.prune``).
    """
    from rapidfuzz import fuzz, process
    from scipy import sparse

    n = len(normals)
    first = min(first, n)
    if n < 2:
        return
    cutoff = int(np.ceil(threshold * 100 - 1e-9))
    scores = process.cdist(normals, normals[:first], scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8,
                           workers=-1)
    hit = scores >= cutoff
    vocab: dict[str, int] = {}
    rows, cols = word_entries((set(text.split()) for text in normals), vocab)
    words = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(n, max(len(vocab), 1)))
    shared = (words @ words[:first].T).toarray()
    sizes = np.diff(words.indptr)
    union = sizes[:, None] + sizes[None, :first] - shared
    hit |= (union > 0) & (shared >= threshold * union - 1e-9)
    found.block(np.arange(n), np.arange(first), hit)


def _earliest_alike(texts: list[str], threshold: float) -> np.ndarray:
    """Per text, the index of the earliest earlier text alike it (``similarity >= threshold``), or -1.

    The same bounds and exact measures as ``_similar_pairs``, but each block of
    comparisons is reduced to that one index where it is computed: 5,000
    near-copies of one point would otherwise be 12.5 million pairs to hold.
    """
    normals = [normalised(t) for t in texts]
    filled = np.flatnonzero([bool(t) for t in normals])  # an empty text is alike nothing
    kept = [normals[i] for i in filled]
    found = _Earliest(len(kept))
    _alike_first(kept, threshold, found)  # the first texts against all: near-copies of an early point found
    _alike_words(kept, threshold, found)  # cheap, and what it finds spares character comparisons
    _alike_characters(kept, int(np.ceil(threshold * 100 - 1e-9)), found)
    earliest = np.full(len(texts), -1, dtype=np.int64)
    has = found.earliest < len(kept)
    earliest[filled[has]] = filled[found.earliest[has]]
    return earliest


_BLOCK = 128  # rows compared at a time: keeps each block's arrays within the CPU's cache


class _AllPairs:
    """Collects every alike pair ``(i, j)`` found (original indices)."""

    def __init__(self):
        self.i: list[np.ndarray] = []
        self.j: list[np.ndarray] = []

    def block(self, rows: np.ndarray, cols: np.ndarray, hit: np.ndarray) -> None:
        r, c = np.nonzero(hit)
        self.pairs(rows[r], cols[c])

    def pairs(self, i: np.ndarray, j: np.ndarray) -> None:
        self.i.append(np.asarray(i, dtype=np.int64))
        self.j.append(np.asarray(j, dtype=np.int64))

    def prune(self, rows: np.ndarray, cols: np.ndarray, maybe: np.ndarray) -> None:
        """Every pair is wanted."""

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        if not self.i:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        return np.concatenate(self.i), np.concatenate(self.j)


class _Earliest:
    """Keeps, per text, only the earliest earlier text it is alike (``n`` when none): a block's hits are
    reduced where they are found, so thousands of near-copies never become millions of pairs."""

    def __init__(self, n: int):
        self.n = n
        self.earliest = np.full(n, n, dtype=np.int64)

    def block(self, rows: np.ndarray, cols: np.ndarray, hit: np.ndarray) -> None:
        if not hit.any():
            return
        earlier_col = hit & (cols[None, :] < rows[:, None])  # the column's text comes first: the row joins it
        best = np.where(earlier_col, cols[None, :], self.n).min(axis=1)
        self.earliest[rows] = np.minimum(self.earliest[rows], best)
        earlier_row = hit & (rows[:, None] < cols[None, :])
        best = np.where(earlier_row, rows[:, None], self.n).min(axis=0)
        self.earliest[cols] = np.minimum(self.earliest[cols], best)

    def prune(self, rows: np.ndarray, cols: np.ndarray, maybe: np.ndarray) -> None:
        """Leave out of ``maybe`` the pairs that cannot give a text an earlier alike text than it has."""
        if (self.earliest[rows] == self.n).all() and (self.earliest[cols] == self.n).all():
            return  # none of these texts has an alike text yet: every pair may still give one
        later = np.maximum(rows[:, None], cols[None, :])
        maybe &= np.minimum(rows[:, None], cols[None, :]) < self.earliest[later]

    def pairs(self, i: np.ndarray, j: np.ndarray) -> None:
        later, earlier = np.maximum(i, j), np.minimum(i, j)
        np.minimum.at(self.earliest, later, earlier)

    def result(self) -> np.ndarray:
        return self.earliest


_Found = _AllPairs | _Earliest


def _alike_characters(normals: list[str], cutoff: int, found: _Found | None = None):
    """(i, j) with ``fuzz.ratio(normals[i], normals[j]) >= cutoff``, each pair once.

    The ratio is ``200 * LCS / (len(a) + len(b))`` (LCS: the longest common
    subsequence), and two bounds on the LCS rule out most pairs before
    rapidfuzz computes it exactly:

    - the characters the two texts share, counted (each of the commonest
      characters on its own, the rest together), for every pair of a block;
      texts sorted by length leave those too different in length out of it;
    - where most of a block's pairs pass that (texts made of the same
      characters in another order), the LCS of the texts without their
      commonest characters, short enough for rapidfuzz to compare several at a
      time, plus the commonest characters they share.
    """
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import LCSseq

    n = len(normals)
    found = found if found is not None else _AllPairs()
    if n < 2 or cutoff > 100:
        return found.result()
    cutoff = max(cutoff, 0)
    lengths = np.fromiter(map(len, normals), dtype=np.int64, count=n)
    order = np.argsort(lengths, kind="stable")
    lengths = lengths[order]
    texts = [normals[i] for i in order]
    counts, commonest = _char_counts(texts, lengths, np.int16 if 2 * lengths[-1] < 2**15 else np.int32)
    # How many of the commonest characters to leave out so that most texts are at most 64 characters.
    drop = next((m for m in range(1, len(commonest) + 1)
                 if np.percentile(lengths - counts[:m].sum(axis=0), 90) <= 64), 0)
    rarer = [t.translate(dict.fromkeys(map(ord, commonest[:drop]))) for t in texts] if drop else None
    # Ratio >= cutoff needs the shorter text to be at least cutoff / (200 - cutoff) of the longer.
    shortest = np.searchsorted(lengths, lengths * cutoff / (200 - cutoff) - 1e-9)
    # Per text, what a pair may differ by (L1 distance, as 100 * L1 <= (100 - cutoff) * (len(a) + len(b)))
    # and must share (LCS, as 200 * LCS >= cutoff * (len(a) + len(b))), rounded down: each pair's sum
    # of the two allows at most 1 more than the exact bound, never less.
    differ = (lengths * (100 - cutoff) // 100).astype(counts.dtype)
    share = (lengths * cutoff // 200).astype(np.int32)
    for start in range(0, n, _BLOCK):
        stop = min(n, start + _BLOCK)
        low = shortest[start]
        if low >= stop:
            continue
        distance = np.zeros((stop - start, stop - low), dtype=counts.dtype)
        diff = np.empty_like(distance)
        for row in counts:  # one character (or the rest) at a time: small arrays, no 3-D temporaries
            np.subtract(row[start:stop, None], row[None, low:stop], out=diff)
            np.abs(diff, out=diff)
            distance += diff
        # LCS <= (len(a) + len(b) - L1 distance of the counts) / 2
        distance -= differ[None, low:stop]
        maybe = distance <= differ[start:stop, None] + 1
        maybe[:, start - low:] &= np.tri(stop - start, k=-1, dtype=bool)  # each pair once: j < i
        found.prune(order[start:stop], order[low:stop], maybe)
        pairs = (start - low) * (stop - start) + (stop - start) * (stop - start - 1) // 2
        if rarer is not None and maybe.sum() > 0.3 * pairs:
            bound = process.cdist(rarer[low:stop], rarer[start:stop], scorer=LCSseq.similarity, dtype=np.int32,
                                  workers=-1).T
            for row in counts[:drop]:
                bound += np.minimum(row[start:stop, None], row[None, low:stop])
            bound -= share[None, low:stop]
            maybe &= bound >= share[start:stop, None]
        if maybe.sum() > 0.3 * pairs:  # most pairs left: compare the whole block at once
            scores = process.cdist(texts[low:stop], texts[start:stop], scorer=fuzz.ratio, score_cutoff=cutoff,
                                   dtype=np.uint8, workers=-1).T
            found.block(order[start:stop], order[low:stop], maybe & (scores >= cutoff))
            continue
        rows, cols = np.nonzero(maybe)
        cols += low
        bounds = np.searchsorted(rows, np.arange(stop - start + 1))
        for k in np.flatnonzero(np.diff(bounds)):
            these = cols[bounds[k]:bounds[k + 1]]
            scores = process.cdist([texts[start + k]], [texts[j] for j in these.tolist()], scorer=fuzz.ratio,
                                   score_cutoff=cutoff, dtype=np.uint8, workers=1)[0]
            hit = these[scores >= cutoff]
            found.pairs(np.full(len(hit), order[start + k]), order[hit])
    return found.result()


def _char_counts(normals: list[str], lengths: np.ndarray, dtype, bins: int = 32) -> tuple[np.ndarray, list[str]]:
    """(bins, texts) counts: each of the ``bins - 1`` commonest characters, and all others together;
    and those characters, commonest first."""
    codes = np.frombuffer("".join(normals).encode("utf-32-le"), dtype=np.uint32)
    unique, which, freq = np.unique(codes, return_inverse=True, return_counts=True)
    by_freq = np.argsort(-freq, kind="stable")
    rank = np.empty(len(freq), dtype=np.int64)
    rank[by_freq] = np.arange(len(freq))
    text = np.repeat(np.arange(len(normals)), lengths)
    counts = np.bincount(np.minimum(rank[which], bins - 1) * len(normals) + text, minlength=bins * len(normals))
    return counts.reshape(bins, len(normals)).astype(dtype), [chr(c) for c in unique[by_freq[:bins - 1]]]


def _alike_words(normals: list[str], threshold: float, found: _Found | None = None):
    """(i, j) whose word sets have Jaccard ``>= threshold``, each pair once.

    Jaccard t needs the smaller set to hold at least t of the larger, so sets
    sorted by size are compared block by block with the sizes that can reach
    it. Shared words are counted as bits for the common words (a bitwise AND
    and a popcount per 64 words: no BLAS threads to wake for small products)
    and with a sparse product for the rest.
    """
    from scipy import sparse

    n = len(normals)
    found = found if found is not None else _AllPairs()
    vocab: dict[str, int] = {}
    rows, cols = word_entries((set(text.split()) for text in normals), vocab)
    if n < 2 or not vocab:
        return found.result()
    words = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(n, len(vocab)))
    # Words in more than 1 text in 16 cost less as bits than in a sparse product.
    common = np.bincount(cols, minlength=len(vocab)) * 16 >= n
    sizes = np.diff(words.indptr)
    order = np.argsort(sizes, kind="stable")
    sizes = sizes[order]
    words = words[order]
    bits = np.packbits(words[:, np.flatnonzero(common)].toarray() > 0, axis=1, bitorder="little")
    bits = np.pad(bits, ((0, 0), (0, -bits.shape[1] % 8))).view(np.uint64).T.copy()  # (64-word groups, texts)
    rare = words[:, np.flatnonzero(~common)].tocsr()
    smallest = np.searchsorted(sizes, threshold * sizes - 1e-9)
    # Jaccard >= t also needs at least t of each set shared: a cheap test before the exact one.
    need = np.ceil(threshold * sizes - 1e-9).astype(np.int32)
    for start in range(0, n, _BLOCK):
        stop = min(n, start + _BLOCK)
        low = smallest[start]
        if low >= stop:
            continue
        shared = (rare[start:stop] @ rare[low:stop].T).toarray()
        for group in bits:
            shared += np.bitwise_count(group[start:stop, None] & group[None, low:stop])
        # Jaccard = shared / (|a| + |b| - shared) >= t, each pair once (j < i in size order)
        hit = (shared >= need[start:stop, None]) & (
            shared >= threshold * (sizes[start:stop, None] + sizes[None, low:stop] - shared) - 1e-9)
        hit[:, start - low:] &= np.tri(stop - start, k=-1, dtype=bool)
        found.block(order[start:stop], order[low:stop], hit)
    return found.result()


def merge_near_duplicates(points: list[P], threshold: float = MERGE_THRESHOLD) -> list[P]:
    """Fold points that say nearly the same thing into the first of them, keeping every text.

    Notes often repeat a point (two note-takers, or a point restated in a
    summary); counting it twice would inflate that theme for that event. A
    point joins the point that the earliest earlier point it is alike joined
    (or that point itself). Responses and actions folded in are kept with it.
    """
    if not points:
        return []
    earliest = _earliest_alike([p.text for p in points], threshold)
    group = np.full(len(points), -1)
    kept: list[P] = []
    for i, point in enumerate(points):
        if earliest[i] >= 0:
            twin = kept[int(group[earliest[i]])]
            twin.merged.append(point.text)
            if point.response and point.response not in twin.response:
                twin.response = "\n\n".join(filter(None, [twin.response, point.response]))
            twin.actions.extend(point.actions)
            group[i] = group[earliest[i]]
        else:
            group[i] = len(kept)
            kept.append(dataclasses.replace(point, seq=len(kept) + 1, merged=list(point.merged),
                                            actions=list(point.actions)))
    return kept
