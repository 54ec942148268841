"""Short labels for questions, for charts, forms and the annex: a lead-in shared by
several questions is dropped and long texts are cut, so labels stay readable and unique."""

from __future__ import annotations

import pandas as pd


def short_labels(ids: list[str], texts: list[str], limit: int = 70) -> dict[str, str]:
    """Short, unique labels for questions: a lead-in shared by several questions
    ("To what extent do you agree or disagree: ...") is dropped, long texts are
    cut at ``limit`` characters, and labels that still clash get their id."""
    texts = [str(t or i) for i, t in zip(ids, texts)]

    def split(text: str) -> tuple[str, str]:
        """('lead-in', 'rest') at the first ': ' or '? ' followed by more words."""
        cuts = [(text.find(sep), sep) for sep in (": ", "? ") if text.find(sep) > 0]
        if not cuts:
            return "", text
        at, sep = min(cuts)
        return text[: at + 1], text[at + len(sep):].strip()

    parts = [split(t) for t in texts]
    counts = pd.Series([lead for lead, _ in parts if lead]).value_counts()
    out = []
    for text, (lead, rest) in zip(texts, parts):
        if lead and rest and counts.get(lead, 0) > 1:
            text = rest[:1].upper() + rest[1:]
        out.append(text if len(text) <= limit else text[: limit - 1].rstrip() + "…")
    seen = pd.Series(out).value_counts()
    return {i: (f"{label} ({i})" if seen[label] > 1 else label) for i, label in zip(ids, out)}


def stem_split(text: str) -> tuple[str, str]:
    """('Through which of these ... from the Panel?', 'Letters from the Panel'): a
    multi-select item's question stem and its option, cut at the last '? ' or ': '."""
    cuts = [text.rfind(sep) for sep in ("? ", ": ")]
    at = max(cuts)
    if at <= 0:
        return "", text
    return text[: at + 1].strip(), text[at + 2:].strip()
