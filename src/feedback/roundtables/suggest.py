"""Offline theme suggestions for roundtable points: TF-IDF and the nearest
coded examples, beside the keyword rules. It never codes by itself: a person
accepts, changes or rejects each suggestion, and the suggester is a coder
(``SUGGESTER_CODER``) whose agreement with people is measured like anyone's.

Classical on purpose: word (1-2) and character (3-5, within words) n-grams,
sublinear tf, idf from the coded examples and the codebook, cosine by one
sparse matrix product. Nothing is downloaded, nothing leaves the machine, the
same input gives the same output, and a reason can be shown for every score
(the words a rule matched, or the coded point it is nearest to). Measured on
held-out events of the coded sample (``held_out_agreement``, figures in
docs/roundtables.md).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from feedback.roundtables.coding import SUGGESTER_CODER, auto_code, normalise
from feedback.roundtables.themes import ThemeCodebook

SUGGESTER_NAME, SUGGESTER_VERSION = SUGGESTER_CODER.rsplit("-", 1)  # "suggester tfidf", "1": change the
# version in coding.SUGGESTER_CODER whenever the method, its features or THRESHOLD change.
CODED_EXAMPLES = Path(__file__).resolve().parents[3] / "data" / "roundtables" / "coded_examples.csv"

# A code is suggested when its score reaches THRESHOLD (chosen on held-out events of the sample,
# see docs/roundtables.md); codes scoring at least SHOW are listed below it as weaker candidates.
THRESHOLD = 0.25
SHOW = 0.15
RULE_SCORE = 1.0
_STOP = frozenset("""a an and are as at be been but by can do does for from had has have how in into is it its of
on or our so than that the their them there these they this to too was we were what when which who will with
would you your not no more very also just all any some such only""".split())


@dataclass(frozen=True)
class Example:
    """A point a person coded: the suggester's evidence."""

    text: str
    codes: frozenset[str]
    source: str = ""


@dataclass(frozen=True)
class Suggestion:
    code: str
    score: float
    suggested: bool  # score >= THRESHOLD: offered as a code; below it, shown as a weaker candidate
    reason: str


def load_examples(path: Path = CODED_EXAMPLES) -> list[Example]:
    """The shipped coded sample (file, text, codes separated by ';')."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [Example(row["text"], frozenset(c for c in row["codes"].split(";") if c), row["file"])
                for row in csv.DictReader(handle)]


def _words(normal: str) -> list[str]:
    return [w for w in normal.split() if w not in _STOP]


def _features(text: str) -> tuple[list[str], list[str]]:
    normal = normalise(text)
    words = _words(normal)
    word_feats = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    chars: list[str] = []
    for w in words:
        padded = f" {w} "
        for n in (3, 4, 5):
            chars.extend(padded[i:i + n] for i in range(max(len(padded) - n + 1, 0)))
    return word_feats, chars


def _counts(feature_lists: Sequence[list[str]], vocab: dict[str, int]) -> sparse.csr_matrix:
    rows, cols = [], []
    for r, feats in enumerate(feature_lists):
        idx = [vocab[f] for f in feats if f in vocab]
        rows.extend([r] * len(idx))
        cols.extend(idx)
    data = np.ones(len(rows), dtype=np.float64)
    m = sparse.csr_matrix((data, (rows, cols)), shape=(len(feature_lists), len(vocab)))
    m.sum_duplicates()
    return m


def _l2(m: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ m


class Suggester:
    """Fitted on a codebook and coded examples; ``suggest`` ranks sub-themes for new points."""

    def __init__(self, codebook: ThemeCodebook, examples: Iterable[Example], *, use_rules: bool = True):
        self.codebook = codebook
        self.use_rules = use_rules
        self.code_ids = [c.id for c in codebook.codes]
        known = set(self.code_ids)
        self.examples = [e for e in examples if e.codes <= known]
        # The codebook's own words are one pseudo-example per sub-theme, so a sub-theme nobody has
        # coded yet can still be suggested (its reason then says so).
        code_docs = [" ".join([c.name, c.description, *(r.replace("&", " ").replace("*", "") for r in c.rules)])
                     for c in codebook.codes]
        docs = [e.text for e in self.examples] + code_docs
        feats = [_features(t) for t in docs]
        self._blocks = []
        for part in (0, 1):
            vocab: dict[str, int] = {}
            for f in feats:
                for x in f[part]:
                    vocab.setdefault(x, len(vocab))
            counts = _counts([f[part] for f in feats], vocab)
            df = np.bincount(counts.indices, minlength=len(vocab))
            idf = np.log((1 + len(docs)) / (1 + df)) + 1.0
            self._blocks.append((vocab, idf))
        self._train = self._matrix(feats)
        n_ex = len(self.examples)
        labels = np.zeros((n_ex + len(code_docs), len(self.code_ids)), dtype=bool)
        index = {c: i for i, c in enumerate(self.code_ids)}
        for r, e in enumerate(self.examples):
            for c in e.codes:
                labels[r, index[c]] = True
        labels[np.arange(n_ex, n_ex + len(code_docs)), np.arange(len(code_docs))] = True
        self._labels = labels
        self._n_examples = n_ex

    def _matrix(self, feats: Sequence[tuple[list[str], list[str]]]) -> sparse.csr_matrix:
        parts = []
        for part, (vocab, idf) in enumerate(self._blocks):
            m = _counts([f[part] for f in feats], vocab)
            m.data = 1.0 + np.log(m.data)
            parts.append(_l2(m @ sparse.diags(idf)) * math.sqrt(0.5))
        return sparse.hstack(parts, format="csr")

    def scores(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(points x sub-themes) best cosine to an example or description of each, and which row gave it."""
        q = self._matrix([_features(t) for t in texts])
        best = np.zeros((len(texts), len(self.code_ids)))
        arg = np.zeros((len(texts), len(self.code_ids)), dtype=np.int64)
        columns = [np.flatnonzero(self._labels[:, j]) for j in range(len(self.code_ids))]
        for start in range(0, len(texts), 1024):  # blocks: the dense similarities stay small
            stop = min(start + 1024, len(texts))
            sims = (q[start:stop] @ self._train.T).toarray()  # points x (examples + codebook docs)
            rows = np.arange(stop - start)
            for j, cols in enumerate(columns):
                sub = sims[:, cols]
                k = sub.argmax(axis=1)
                arg[start:stop, j] = cols[k]
                best[start:stop, j] = sub[rows, k]
        return best, arg

    def suggest(self, texts: Sequence[str], *, top: int = 3) -> list[list[Suggestion]]:
        """Per point, up to ``top`` sub-themes scoring at least SHOW, best first (ties in codebook order)."""
        best, arg = self.scores(texts)
        out: list[list[Suggestion]] = []
        for i, text in enumerate(texts):
            rules = auto_code(text, self.codebook) if self.use_rules else {}
            score = best[i].copy()
            for c in rules:
                score[self.code_ids.index(c)] = RULE_SCORE
            order = sorted(range(len(self.code_ids)), key=lambda j: (-round(score[j], 6), j))
            row = []
            for j in order[:top]:
                if score[j] < SHOW:
                    break
                code = self.code_ids[j]
                row.append(Suggestion(code, round(float(score[j]), 3), bool(score[j] >= THRESHOLD),
                                      self._reason(text, code, rules.get(code), int(arg[i, j]), best[i, j])))
            out.append(row)
        return out

    def _reason(self, text: str, code: str, rule_words: list[str] | None, row: int, sim: float) -> str:
        if rule_words:
            return f"the codebook's words: {', '.join(rule_words)}"
        if row < self._n_examples:
            e = self.examples[row]
            quoted = e.text if len(e.text) <= 120 else e.text[:117] + "..."
            where = f" ({e.source})" if e.source else ""
            return f"like a coded point{where}, similarity {sim:.2f}: \"{quoted}\""
        mine = set(_words(normalise(text)))
        c = self.codebook.by_id()[code]
        shared = [w for w in dict.fromkeys(_words(normalise(f"{c.name} {c.description}"))) if w in mine]
        return (f"words shared with the sub-theme's description: {', '.join(shared[:6])}" if shared
                else f"close to the sub-theme's description, similarity {sim:.2f}")


def suggested_codes(rows: list[list[Suggestion]]) -> list[tuple[str, ...]]:
    return [tuple(s.code for s in row if s.suggested) for row in rows]


def suggestion_frame(points: pd.DataFrame, rows: list[list[Suggestion]], codebook: ThemeCodebook,
                     *, text: str = "text") -> pd.DataFrame:
    """One row per point x candidate: the points' columns, rank, sub-theme, score, suggested, reason.
    A point with no candidate keeps one row with an empty sub-theme."""
    names = codebook.names()
    records = []
    for idx, row in zip(points.index, rows, strict=True):
        if not row:
            records.append((idx, 0, "", "", np.nan, False, "no sub-theme scored 0.15 or more"))
        for rank, s in enumerate(row, start=1):
            records.append((idx, rank, s.code, names.get(s.code, s.code), s.score, s.suggested, s.reason))
    long = pd.DataFrame(records, columns=["_idx", "rank", "code", "sub_theme", "score", "suggested", "reason"])
    return points.join(long.set_index("_idx"), how="inner").reset_index(drop=True)


def held_out_agreement(codebook: ThemeCodebook, examples: Sequence[Example], *, use_rules: bool) -> dict:
    """Leave one event out: fit on the other events' coded points, suggest for this one, compare with
    the people's codes. Returns exact-set agreement, top-1 hit rate, precision, recall and
    Krippendorff's alpha pooled over (point, sub-theme) decisions."""
    from feedback.roundtables.coding import krippendorff_alpha

    sources = list(dict.fromkeys(e.source for e in examples))
    exact = top1 = tp = fp = fn = 0
    human_bits, model_bits = [], []
    ids = [c.id for c in codebook.codes]
    for src in sources:
        held = [e for e in examples if e.source == src]
        model = Suggester(codebook, [e for e in examples if e.source != src], use_rules=use_rules)
        rows = model.suggest([e.text for e in held])
        for e, row, got in zip(held, rows, suggested_codes(rows), strict=True):
            got_set = set(got)
            exact += got_set == set(e.codes)
            top1 += bool(row) and row[0].code in e.codes
            tp += len(got_set & e.codes)
            fp += len(got_set - e.codes)
            fn += len(e.codes - got_set)
            human_bits.extend(c in e.codes for c in ids)
            model_bits.extend(c in got_set for c in ids)
    n = len(examples)
    alpha = krippendorff_alpha(np.array([human_bits, model_bits], dtype=float))
    return {"points": n, "events": len(sources), "exact": exact / n, "top1": top1 / n,
            "precision": tp / (tp + fp) if tp + fp else float("nan"),
            "recall": tp / (tp + fn) if tp + fn else float("nan"),
            "alpha": alpha}


def examples_for_event(frames, event_id: int | None, shipped: Sequence[Example] | None = None) -> list[Example]:
    """The evidence for suggesting codes to one event's points: the shipped coded sample and the
    coding in force of every point people coded, both without that event's own points (so a
    point's suggestion never copies its own coding, and agreement with people is not flattered)."""
    from feedback.roundtables.coding import MACHINE_CODERS

    shipped = load_examples() if shipped is None else shipped
    events = frames.events.set_index("event_id")
    own_file = events.loc[event_id, "filename"] if event_id is not None and event_id in events.index else None
    out = [e for e in shipped if e.source != own_file]
    people = frames.codings[~frames.codings["coder"].isin(MACHINE_CODERS)]
    if people.empty:
        return out
    latest = people.assign(_when=pd.to_datetime(people["coded_at"], utc=True, errors="coerce")) \
        .sort_values(["point_id", "_when"], kind="stable").drop_duplicates("point_id", keep="last")
    pts = frames.points.set_index("point_id")
    for point_id, codes in zip(latest["point_id"], latest["codes"], strict=True):
        if point_id not in pts.index or pts.loc[point_id, "event_id"] == event_id:
            continue
        src = (events.loc[pts.loc[point_id, "event_id"], "filename"]
               if pts.loc[point_id, "event_id"] in events.index else "")
        out.append(Example(str(pts.loc[point_id, "text"]), frozenset(codes), f"{src}, coded by a person"))
    return out


#: What the page says when no sub-theme is offered for a point.
NONE_OFFERED = f"No sub-theme scored {SHOW} or more: code this point by hand."


def for_point(frames, codebook: ThemeCodebook, event_id: int, text: str) -> list[Suggestion]:
    """The sub-themes offered for one point of an event, learning from the shipped examples and the
    other points people have coded (``examples_for_event``)."""
    return Suggester(codebook, examples_for_event(frames, int(event_id))).suggest([str(text)])[0]


def describe(suggestion: Suggestion, rank: int, names: dict[str, str]) -> str:
    """One offered sub-theme in words: its rank, name, score, whether suggested, and why."""
    kind = "suggested" if suggestion.suggested else "weaker candidate"
    return (f"{rank}. {names.get(suggestion.code, suggestion.code)}: score {suggestion.score:.2f}, {kind}. "
            f"Why: {suggestion.reason}")
