"""Score the suggested codebook on the supplier corpus and write docs/supplier_corpus.md.

    python scripts/score_suggestions.py            # writes the report, prints the totals
    python scripts/score_suggestions.py --stdout   # prints the report instead

The comparison itself is ``feedback.survey.scoring`` (the tests call it too).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from feedback.survey import scoring  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "suppliers"
REPORT = ROOT / "docs" / "supplier_corpus.md"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stdout", action="store_true", help="print the report instead of writing it")
    args = parser.parse_args(argv)
    scores = scoring.score_corpus(CORPUS)
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = ""
    text = scoring.report(scores, commit=commit)
    if args.stdout:
        sys.stdout.write(text)
        return 0
    REPORT.write_text(text, encoding="utf-8")
    unfavourable = sum(len(s.unfavourable) for s in scores)
    found = sum(s.found for s in scores)
    print(f"{len(scores)} files: {found}/{sum(s.questions for s in scores)} questions found, "
          f"{sum(s.positive_exact for s in scores)}/{found} positive sets exact, "
          f"{unfavourable} unfavourable answer(s) counted positive; wrote {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
