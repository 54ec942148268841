"""The meaning of answers: a vocabulary of UK survey scales and their favourable end.

The codebook suggestion asks ``classify`` which answers of a question count as
positive. Each scale is data: its levels from the favourable end to the
unfavourable one (each level a set of spellings), how many levels from the top
count as positive, and its neutral answers. Answers are compared as
``answer_words`` makes them: any case, curly or straight apostrophes or none
("Don’t know", "Dont know"), punctuation ignored ("N/A"), and a numeric code
before or after the label dropped ("1 - Strongly agree", "5 = Very good",
"Very good (5)").

Rules (docs/codebook.md):

- A negative, neutral, "don't know", "prefer not to say", "not applicable" or
  "never heard of" answer is never positive, whatever scale it is in.
- A question is given a scale only when every one of its answers is in that
  scale (or is one of the answers any scale may have: "Don't know", "Prefer
  not to say", "Not applicable"...). Otherwise the scale is not guessed: the
  result says ``check = "why"`` and lists only the positive answers that are
  certain (often none).
- Scales whose favourable end depends on the question (how often, how high or
  low, more or less) and 0–10 scales (whose top box is a convention) are
  recognised but always left for a person to confirm (``check = "why"``):
  nothing is suggested as positive, except 7–10 on a 0–10 scale and "Always",
  "Often" when the question asks how often something useful is done.
- "Somewhat / Moderately / Slightly X" count as positive only beside a middle
  answer ("Neither ... nor ..."); on a one-sided scale they are its middle.
- "Not applicable" answers ("Have not used it", "N/A") are suggested as
  excluded from the base; "Don't know" and "Prefer not to say" stay in it,
  as in the Panel's codebooks and YouGov's tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TOP_BOX_0_10 = (7, 10)  # 0–10 scales: 7 to 10 suggested as positive (ONS wellbeing "high" and "very high")

# ------------------------------------------------------------------ answer words
_PREFIX = re.compile(r"^\(?\s*(\d{1,2})\s*(?:[).:=]|-|–|—)?\s*(?=[^\d\s])")
_SUFFIX = re.compile(r"\s*(?:[(\[]\s*(\d{1,2})\s*[)\]]|(?:-|–|—|=)\s*(\d{1,2}))\s*$")


def answer_words(answer) -> str:
    """An answer as compared with the vocabulary: lower case, apostrophes dropped, other
    punctuation as spaces, "&" as "and", a numeric code before or after the label
    dropped. "1 - Strongly agree" -> "strongly agree"; "Don’t know" -> "dont know"."""
    text = str(answer).strip()
    text = _PREFIX.sub("", text, count=1)
    text = _SUFFIX.sub("", text, count=1)
    text = text.replace("&", " and ").casefold()
    text = re.sub(r"['’‘`´]", "", text)
    text = " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())
    # "I have never heard of it" -> "never heard of it"
    return re.sub(r"^(?:i have |ive |i am |im |i )(?=\S)", "", text)


def answer_number(answer) -> int | None:
    """The number of a 0–10 answer: "7", "10 - Extremely likely", "0 = Not at all" -> 7, 10, 0."""
    text = str(answer).strip()
    match = re.fullmatch(r"\(?\s*(\d{1,2})\s*\)?(?:\s*(?:[).:=]|-|–|—)?\s*\D.*)?", text)
    if match:
        return int(match.group(1))
    match = re.search(r"[(\[]\s*(\d{1,2})\s*[)\]]\s*$|(?:-|–|—|=)\s*(\d{1,2})\s*$", text)
    if match and re.search(r"[a-zA-Z]", text):
        return int(match.group(1) or match.group(2))
    return None


# ------------------------------------------------------------------ answers any scale may have
DONT_KNOW = frozenset({
    "dont know", "do not know", "dk", "not sure", "unsure", "dont know not sure", "not sure dont know",
    "dont know prefer not to say", "cant say", "cannot say", "cant remember", "cannot remember",
    "dont remember", "do not remember", "cant recall", "cannot recall", "dont recall", "no opinion",
    "dont know cant say", "dont know cant remember", "unable to say", "not known",
})
PREFER_NOT = frozenset({
    "prefer not to say", "prefer not to answer", "rather not say", "would rather not say", "refused",
    "declined", "declined to answer", "prefer not to disclose", "no answer",
})
NOT_APPLICABLE = frozenset({
    "not applicable", "n a", "na", "does not apply", "doesnt apply", "not relevant", "have not used it",
    "havent used it", "have not used them", "havent used them", "not used", "not used it", "never used",
    "never used it", "have never used it", "have not used", "havent used", "no experience",
    "havent tried", "have not tried", "not tried", "did not try", "didnt try", "havent needed to",
    "have not needed to", "not needed", "no need", "not applicable to us", "no contact", "had no contact",
    "no experience of this", "not applicable to me", "not applicable to my role", "does not apply to me",
})
NEVER_HEARD = frozenset({
    "never heard of", "never heard of it", "never heard of them", "never heard of this", "never heard of the panel",
    "not heard of", "not heard of it", "have not heard of it", "havent heard of it", "have never heard of it",
    "i have never heard of it", "not aware", "not aware of it",
})
NEUTRAL = frozenset({"neither", "neutral", "neither nor", "in the middle", "mixed", "no strong feelings",
                     "neither one nor the other", "indifferent"})
SPECIAL = DONT_KNOW | PREFER_NOT | NOT_APPLICABLE | NEVER_HEARD


@dataclass(frozen=True)
class Scale:
    """One answer scale: ``levels`` from the favourable end to the unfavourable one (each a
    set of spellings as ``answer_words`` gives them); the first ``positive_levels`` count as
    positive. ``sure = False``: the favourable end depends on the question, so a person
    confirms it (``check = "why"``) and nothing is suggested as positive."""

    name: str
    kind: str
    levels: tuple[frozenset[str], ...]
    positive_levels: int
    neutral: frozenset[str] = frozenset()
    sure: bool = True
    about: str = ""  # in words, for the reason shown to the person checking
    weak_level: int = -1  # "Somewhat / Moderately / Slightly X": positive only beside a neutral answer

    def level_of(self, words: str) -> int | None:
        for i, level in enumerate(self.levels):
            if words in level:
                return i
        return None

    @property
    def phrases(self) -> frozenset[str]:
        return frozenset().union(*self.levels) | self.neutral


def _set(*words: str) -> frozenset[str]:
    return frozenset(" ".join(w.split()) for w in words)


def _bipolar(name: str, kind: str, good: tuple[str, ...], bad: tuple[str, ...], *, top=(), bottom=(),
             neutral=(), extra_positive=(), extra_negative=(), about: str = "") -> Scale:
    """Very X / fairly X / neither X nor Y / fairly Y / very Y, with "not very X" and
    "not at all X" on the unfavourable side."""
    strongest = ("extremely", "completely", "totally", "entirely")
    strong = ("very", "highly")
    mild = ("fairly", "quite", "reasonably", "mostly", "generally", "rather", "pretty")
    weak = ("somewhat", "moderately", "slightly", "a little", "a bit")
    levels = [
        _set(*top, *(f"{m} {g}" for m in strongest for g in good)),
        _set(*(f"{m} {g}" for m in strong for g in good)),
        _set(*good, *(f"{m} {g}" for m in mild for g in good), *extra_positive),
        _set(*(f"{m} {g}" for m in weak for g in good)),
        _set(*bad, *(f"{m} {b}" for m in mild + weak for b in bad), *(f"not very {g}" for g in good),
             *(f"not {g}" for g in good), *(f"not particularly {g}" for g in good),
             *(f"not that {g}" for g in good), *(f"not too {g}" for g in good), *(f"hardly {g}" for g in good),
             *extra_negative),
        _set(*(f"{m} {b}" for m in strong for b in bad), *(f"not at all {g}" for g in good),
             *(f"not {g} at all" for g in good)),
        _set(*bottom, *(f"{m} {b}" for m in strongest for b in bad)),
    ]
    middle = _set(*NEUTRAL, *neutral, *(f"neither {g} nor {b}" for g in good for b in bad),
                  *(f"neither {b} nor {g}" for g in good for b in bad))
    return Scale(name, kind, tuple(levels), 4, middle, about=about or f"{good[0]} ... {bad[0]}", weak_level=3)


_AGREE = Scale("agree/disagree", "agreement", (
    _set("strongly agree", "agree strongly", "completely agree", "totally agree", "fully agree"),
    _set("agree", "tend to agree", "somewhat agree", "slightly agree", "mostly agree", "agree somewhat",
         "agree slightly", "agree a little", "partly agree", "generally agree", "mildly agree", "agree mostly"),
    _set("disagree", "tend to disagree", "somewhat disagree", "slightly disagree", "mostly disagree",
         "disagree somewhat", "disagree slightly", "disagree a little", "partly disagree", "mildly disagree"),
    _set("strongly disagree", "disagree strongly", "completely disagree", "totally disagree"),
), 2, _set(*NEUTRAL, "neither agree nor disagree", "neither agree or disagree", "neither disagree nor agree",
           "agree and disagree equally", "neither agree not disagree"), about="Strongly agree ... Strongly disagree")

_KNOWLEDGE = Scale("knowledge", "awareness", (
    _set("know a great deal", "a great deal", "great deal", "know a lot", "a lot", "know it very well",
         "know them very well", "know very well", "very well"),
    _set("know a fair amount", "a fair amount", "fair amount", "quite a lot", "know quite a lot",
         "know it fairly well", "fairly well", "know fairly well"),
    _set("know just a little", "just a little", "a little", "know a little", "know a little about it",
         "know not very much", "not very much", "not much", "know not much", "know very little", "very little",
         "not very well", "know a little bit"),
    _set("heard of know nothing about", "heard of know nothing about it", "heard of but know nothing about",
         "heard of but know nothing about it", "heard of it but know nothing about it", "know nothing about it",
         "know nothing", "nothing at all", "heard of the name only", "heard the name only", "heard of only",
         "heard of it but know nothing", "only heard of it", "know the name only", "not at all well",
         "heard of know nothing about them", "heard of but know nothing about them", "nothing"),
    NEVER_HEARD,
), 2, about="Know a great deal ... Never heard of")

_AMOUNT = Scale("a great deal ... not at all", "agreement", (
    _set("a great deal", "great deal", "a lot", "completely", "to a great extent", "to a large extent", "very much",
         "very much so"),
    _set("a fair amount", "fair amount", "quite a lot", "to some extent", "to a fair extent", "somewhat"),
    _set("not very much", "not much", "a little", "just a little", "a little bit", "to a small extent",
         "to a limited extent", "very little", "hardly at all", "not a lot"),
    _set("not at all", "none at all", "none", "nothing at all", "not in the slightest"),
), 2, about="A great deal / A fair amount / Not very much / Not at all")

_TRUST = Scale("trust", "agreement", (
    _set("trust completely", "completely trust", "trust a great deal", "trust them a great deal",
         "trust it a great deal", "trust a lot", "always trust"),
    _set("trust a fair amount", "tend to trust", "trust somewhat", "trust", "mostly trust", "trust to some extent",
         "trust them a fair amount", "trust it a fair amount", "trust most of the time", "somewhat trust"),
    _set("tend not to trust", "tend to distrust", "do not trust much", "dont trust much", "not trust much",
         "distrust somewhat", "somewhat distrust", "trust not very much", "trust a little", "do not really trust",
         "dont really trust", "distrust", "trust only a little", "mostly distrust", "do not trust very much",
         "dont trust very much", "not trust very much", "do not trust much at all", "trust not much"),
    _set("do not trust at all", "dont trust at all", "not trust at all", "distrust completely",
         "completely distrust", "trust not at all", "never trust", "distrust a great deal", "strongly distrust"),
), 2, _set(*NEUTRAL, "neither trust nor distrust"), about="Trust a great deal ... Do not trust at all")

_WOULD = Scale("definitely/probably", "agreement", (
    _set("definitely", "definitely would", "definitely will", "yes definitely", "certainly", "certainly would",
         "certain to", "definitely yes"),
    _set("probably", "probably would", "probably will", "yes probably", "likely would", "probably yes"),
    _set("probably not", "probably would not", "probably wouldnt", "probably will not", "probably wont",
         "no probably not", "probably no"),
    _set("definitely not", "definitely would not", "definitely wouldnt", "definitely will not", "definitely wont",
         "no definitely not", "certainly not", "certain not to", "definitely no"),
), 2, _set(*NEUTRAL, "maybe", "might or might not", "may or may not"), about="Definitely ... Definitely not")

_GOOD = _bipolar("good/poor", "agreement", ("good",), ("poor", "bad"),
                 top=("excellent", "outstanding", "exceptional"), bottom=("terrible", "awful", "very bad indeed"),
                 neutral=("fair", "average", "ok", "okay", "adequate", "acceptable", "satisfactory",
                          "neither good nor poor", "neither good nor bad", "neither poor nor good", "mixed"),
                 about="Excellent / Very good / Good ... Poor / Very poor")

_SCALES_BIPOLAR = (
    _bipolar("satisfied/dissatisfied", "agreement", ("satisfied",), ("dissatisfied", "unsatisfied"),
             extra_negative=("not satisfied",)),
    _bipolar("likely/unlikely", "agreement", ("likely",), ("unlikely",), top=("certain to", "extremely likely")),
    _bipolar("useful", "usefulness", ("useful", "helpful"), ("useless", "unhelpful"),
             extra_negative=("of little use", "not of much use", "not much use", "of no use", "no use at all")),
    _bipolar("confident", "agreement", ("confident",), ("unconfident",),
             extra_negative=("lacking confidence",)),
    _bipolar("important", "agreement", ("important",), ("unimportant",), top=("essential", "vital")),
    _bipolar("effective/ineffective", "agreement", ("effective",), ("ineffective",)),
    _bipolar("clear/unclear", "agreement", ("clear",), ("unclear",)),
    _bipolar("easy/difficult", "agreement", ("easy",), ("difficult", "hard")),
    _bipolar("well informed", "agreement", ("well informed", "informed"), ("poorly informed", "uninformed"),
             extra_negative=("not informed",)),
    _bipolar("valuable", "usefulness", ("valuable",), ("not valuable",)),
    _bipolar("relevant", "usefulness", ("relevant",), ("irrelevant",)),
    _bipolar("aware", "awareness", ("aware",), ("unaware",)),
    _bipolar("interested", "agreement", ("interested",), ("uninterested", "disinterested")),
    _bipolar("supported", "agreement", ("supported", "supportive"), ("unsupported", "unsupportive")),
    _bipolar("accessible", "agreement", ("accessible",), ("inaccessible",)),
    _bipolar("positive/negative", "agreement", ("positive", "favourable"), ("negative", "unfavourable")),
    _bipolar("happy/unhappy", "agreement", ("happy",), ("unhappy",)),
    _bipolar("safe/unsafe", "agreement", ("safe",), ("unsafe",)),
)

# Scales whose favourable end depends on what is asked: recognised, never given positive answers.
_FREQUENCY = Scale("frequency", "agreement", (
    _set("always", "all of the time", "all the time"),
    _set("often", "very often", "most of the time", "usually", "frequently", "mostly", "fairly often", "quite often"),
    _set("sometimes", "some of the time", "occasionally"),
    _set("rarely", "seldom", "hardly ever", "not often", "not very often", "almost never"),
    _set("never", "none of the time"),
), 0, _set(*NEUTRAL), sure=False, about="Always ... Never: which end is favourable depends on the question")

_HIGH_LOW = _bipolar("high/low", "agreement", ("high",), ("low",))
_HIGH_LOW = Scale(_HIGH_LOW.name, _HIGH_LOW.kind, _HIGH_LOW.levels, 0, _HIGH_LOW.neutral, sure=False,
                  about="Very high ... Very low: which end is favourable depends on the question")
_MORE_LESS = Scale("more/less", "agreement", (
    _set("a lot more", "much more", "significantly more", "far more"),
    _set("a little more", "slightly more", "more", "somewhat more", "a bit more"),
    _set("a little less", "slightly less", "less", "somewhat less", "a bit less"),
    _set("a lot less", "much less", "significantly less", "far less"),
), 0, _set(*NEUTRAL, "about the same", "the same", "no change", "stayed the same", "no different"), sure=False,
    about="More ... Less: which end is favourable depends on the question")
_BETTER_WORSE = Scale("better/worse", "agreement", (
    _set("a lot better", "much better", "significantly better", "far better", "improved a lot", "got a lot better",
         "got much better", "improved significantly", "greatly improved"),
    _set("a little better", "slightly better", "better", "somewhat better", "improved", "a bit better",
         "improved a little", "improved slightly", "got a little better", "got better", "improved somewhat"),
    _set("a little worse", "slightly worse", "worse", "somewhat worse", "a bit worse", "got worse",
         "got a little worse", "got slightly worse", "worsened", "worsened a little", "declined"),
    _set("a lot worse", "much worse", "significantly worse", "far worse", "got a lot worse", "got much worse",
         "worsened a lot", "worsened significantly"),
), 2, _set(*NEUTRAL, "about the same", "the same", "no change", "stayed the same", "no different",
           "neither better nor worse", "stayed about the same", "not changed", "has not changed"),
    about="Much better ... Much worse")
_SUPPORT = Scale("support/oppose", "agreement", (
    _set("strongly support", "support strongly"),
    _set("support", "tend to support", "somewhat support", "slightly support"),
    _set("oppose", "tend to oppose", "somewhat oppose", "slightly oppose"),
    _set("strongly oppose", "oppose strongly"),
), 2, _set(*NEUTRAL, "neither support nor oppose", "neither support or oppose"),
    about="Strongly support ... Strongly oppose")

SCALES: tuple[Scale, ...] = (_AGREE, _KNOWLEDGE, _GOOD, *_SCALES_BIPOLAR, _TRUST, _WOULD, _AMOUNT, _BETTER_WORSE,
                             _SUPPORT, _FREQUENCY, _HIGH_LOW, _MORE_LESS)

# Multi-select columns: one column per option, ticked or not.
MULTI_SELECT = (
    (frozenset({"selected"}), frozenset({"not selected", "unselected"})),
    (frozenset({"checked", "ticked", "chosen", "mentioned"}),
     frozenset({"not checked", "unchecked", "not ticked", "unticked", "not chosen", "not mentioned"})),
)
_YES_STRONG = ("all", "definitely", "completely", "fully", "a lot", "great", "always", "regularly", "often",
               "very", "in full", "most", "every")
_YES_WEAK = ("some", "partly", "partially", "to some extent", "a little", "sometimes", "occasionally", "once",
             "in part", "probably", "think so", "but", "limited", "few")
_NEGATIVE_START = ("no", "not", "none", "never", "nothing", "neither")
KNOWING = ("aware", "heard", "know", "familiar", "recognise", "recognize")


@dataclass
class ScaleMatch:
    """What ``classify`` found for one question's answers.

    ``scale``: the scale's name ("" when none is known); ``positive``: the positive
    answers as spelled in the data, strongest first; ``exclude``: answers suggested
    out of the base (not applicable); ``check``: "why" when a person must tick the
    positive answers; ``reason``: in words, what was recognised and what is unsure."""

    scale: str
    kind: str
    positive: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    check: str = ""
    reason: str = ""

    @property
    def sure(self) -> bool:
        return not self.check


def never_positive(answer) -> bool:
    """True for an answer the suggestion never counts as positive: "don't know", "prefer
    not to say", "not applicable", "never heard of", a neutral answer, the unfavourable side
    of a scale whose favourable end is known ("Very poor", "Not very useful"), and any answer
    of a scale whose favourable end depends on the question ("Very low", "Never": a person
    ticks those)."""
    words = answer_words(answer)
    if words in SPECIAL or words in NEUTRAL or _unfavourable(words):
        return True
    return not _favourable(words) and any(not s.sure and s.level_of(words) is not None for s in SCALES)


def _ordered(answers: list[str], rank) -> list[str]:
    order = {a: i for i, a in enumerate(answers)}
    return sorted(answers, key=lambda a: (rank(a), order[a]))


def _yes_strength(words: str) -> int:
    rest = words[3:].strip() if words.startswith("yes") else words
    if not rest:
        return 0
    if any(re.search(rf"\b{re.escape(w)}\b", rest) for w in _YES_WEAK):
        return 2
    if any(re.search(rf"\b{re.escape(w)}\b", rest) for w in _YES_STRONG):
        return 1
    return 2


def classify(answers: list[str], about: str = "", *, labelled: bool = False) -> ScaleMatch:
    """The scale of a question's distinct ``answers`` (as spelled in the data, in the
    data's order), its kind and positive answers. ``about``: the column name and
    question text (for the awareness kind, and for multi-select 0/1 columns);
    ``labelled``: the question has its own text (a multi-select option's label)."""
    answers = [str(a) for a in answers]
    words = {a: answer_words(a) for a in answers}
    knowing = any(w in about.casefold() for w in KNOWING)
    exclude = [a for a in answers if words[a] in NOT_APPLICABLE]
    specials = {a for a in answers if words[a] in SPECIAL}
    substantive = [a for a in answers if a not in specials]
    present = set(words.values())

    if not answers:
        return ScaleMatch("", "agreement", check="why", reason="no answers in the data: tick the positive answers")
    # Multi-select: one column per option.
    for ticked, unticked in MULTI_SELECT:
        if present <= ticked | unticked | SPECIAL and present & ticked:
            positive = [a for a in answers if words[a] in ticked]
            return ScaleMatch("multi-select", "multi_select", positive, exclude,
                              reason=f"a multi-select option: {positive[0]!r} counts as chosen")
    if {w for w in present} <= {"0", "1"} and "1" in present:
        one = next(a for a in answers if words[a] == "1")
        if labelled:
            return ScaleMatch("multi-select", "multi_select", [one], exclude,
                              reason="a multi-select option coded 1 (chosen) or 0 (not chosen)")
        return ScaleMatch("", "multi_select", [], exclude, check="why",
                          reason="answers 0 and 1 with no label: tick 1 if it means chosen (or yes)")
    # Yes / no ("Y" / "N" only when the answers are just those).
    if present - SPECIAL <= {"y", "n"} and "y" in present:
        return ScaleMatch("yes/no", "awareness" if knowing else "yes_no", [a for a in answers if words[a] == "y"],
                          exclude, reason="Y / N")
    yes = [a for a in substantive if re.match(r"yes\b", words[a])]
    if yes:
        others = [a for a in substantive if a not in yes]
        if all(re.match(r"(?:no|not|none|never|nothing)\b", words[a]) or words[a] in NEUTRAL for a in others):
            kind = "awareness" if knowing else "yes_no"
            return ScaleMatch("yes/no", kind, _ordered(yes, lambda a: _yes_strength(words[a])), exclude,
                              reason="yes / no" + (" / don't know" if specials else ""))
    # The vocabulary: a scale that holds every answer.
    best = None
    for scale in SCALES:
        phrases = scale.phrases
        if scale is _KNOWLEDGE:
            phrases = phrases | NEVER_HEARD
        inside = [a for a in substantive if words[a] in phrases]
        levelled = [a for a in inside if scale.level_of(words[a]) is not None]
        if not levelled:
            continue
        outside = [a for a in substantive if a not in inside]
        score = (not outside, len(inside))
        if best is None or score > best[0]:
            best = (score, scale, inside, outside)
    # 0-10 (or 1-10) scales, and numbers with no words.
    numbers = {a: answer_number(a) for a in substantive}
    if (best is None or best[3]) and substantive and all(n is not None and 0 <= n <= 10 for n in numbers.values()):
        found = set(numbers.values())
        if len(found) >= 6 and max(found) >= 9 and min(found) <= 1:
            return _zero_to_ten(substantive, numbers, words, exclude)
        return ScaleMatch("numbers", "agreement", [], exclude, check="why",
                          reason=f"numbers {min(found)} to {max(found)} with no words to say which end is "
                                 "favourable: tick the positive answers")
    if best is not None and best[3] and len(best[2]) < 2:
        best = None  # one answer in a scale among others that are not: no scale recognised
    if best is None and yes:
        others = ", ".join(repr(a) for a in substantive if a not in yes
                           and not re.match(r"(?:no|not|none|never|nothing)\b", words[a]))
        return ScaleMatch("yes/no", "awareness" if knowing else "yes_no",
                          _ordered(yes, lambda a: _yes_strength(words[a])), exclude, check="why",
                          reason=f"yes / no with other answers ({others}): check the positive answers")
    if best is None and len(substantive) == 1:
        return ScaleMatch("", "multi_select", [], exclude, check="why",
                          reason=f"only one answer ({substantive[0]!r}) in the column: a blank may mean not chosen, "
                                 "so the share would be 100% of those answering; tick the answer to count and check "
                                 "the base")
    if best is None:
        return ScaleMatch("", "agreement", [], exclude, check="why",
                          reason="answers not in any scale the app knows: tick the positive answers")
    _, scale, inside, outside = best
    level = {a: scale.level_of(words[a]) for a in inside}
    positive = [a for a in inside if scale.sure and level[a] is not None and level[a] < scale.positive_levels]
    positive = _ordered(positive, lambda a: level[a])
    kind = scale.kind
    if scale.name in ("a great deal ... not at all", "trust") and knowing:
        kind = "awareness"
    elif scale is _KNOWLEDGE and not knowing and not any(words[a].startswith(("know", "heard")) for a in inside):
        kind = "agreement"  # "A great deal / A fair amount / Just a little" about something other than knowing
    if not scale.sure:
        if scale is _FREQUENCY and not outside and _using(about):
            often = _ordered([a for a in inside if level[a] is not None and level[a] < 2], lambda a: level[a])
            return ScaleMatch(scale.name, kind, often, exclude, check="why",
                              reason=f"a {scale.name} scale ({scale.about}); the question asks how often something "
                                     f"useful is done, so {', '.join(often)} are suggested: confirm")
        return ScaleMatch(scale.name, kind, [], exclude, check="why",
                          reason=f"a {scale.name} scale ({scale.about}): tick the positive answers")
    weak = [a for a in inside if scale.weak_level >= 0 and level[a] == scale.weak_level]
    if weak and not any(words[a] in scale.neutral for a in answers):
        # "Extremely / Very / Moderately / Slightly / Not at all useful": a one-sided scale, whose middle
        # answers are not plainly favourable. Beside "Neither ... nor ..." they are on the favourable side.
        positive = [a for a in positive if a not in weak]
        shown = ", ".join(repr(a) for a in weak)
        return ScaleMatch(scale.name, kind, positive, exclude, check="why",
                          reason=f"a {scale.name} scale with {shown} and no middle answer: on a one-sided scale "
                                 f"(Extremely ... Not at all) {'it is' if len(weak) == 1 else 'they are'} the middle, "
                                 "so only the answers above are suggested: check")
    if outside:
        shown = ", ".join(repr(a) for a in outside[:4])
        return ScaleMatch(scale.name, kind, positive, exclude, check="why",
                          reason=f"mostly a {scale.name} scale, but {shown} {'is' if len(outside) == 1 else 'are'} "
                                 "not in it: check the positive answers"
                                 + (f" (suggested: {', '.join(positive)})" if positive else ""))
    return ScaleMatch(scale.name, kind, positive, exclude,
                      reason=f"{scale.name} scale ({scale.about}): positive = " + ", ".join(positive))


_USING = re.compile(r"\b(?:use|uses|used|using|read|reads|refer|apply|applies|draw\s+on|consult|access|attend|"
                    r"share|shares|discuss|receive|feel\s+(?:supported|confident|listened|valued|informed|heard))\b")
_TROUBLE = re.compile(r"\b(?:problem|problems|difficult|difficulty|difficulties|delay|delays|delayed|barrier|"
                      r"barriers|concern|concerns|concerned|worry|worried|harm|harmed|incident|incidents|fail|fails|"
                      r"failed|miss|missed|unable|struggle|struggled|bully|bullied|abuse|stress|stressed|late|"
                      r"lack|lacking|pressure|overwhelmed|unsafe|complain|complaint)\b")


def _using(about: str) -> bool:
    """A frequency question about doing something useful ("How often do you use the
    learning from reviews?"), with no sign of trouble in it."""
    text = about.casefold()
    return bool(_USING.search(text)) and not _TROUBLE.search(text)


def _zero_to_ten(substantive, numbers, words, exclude) -> ScaleMatch:
    low, high = TOP_BOX_0_10
    ends = {n: words[a] for a, n in numbers.items() if re.search(r"[a-z]", words[a])}
    top_words = ends.get(max(numbers.values()), "")
    bottom_words = ends.get(min(numbers.values()), "")
    reversed_scale = bool(top_words) and _unfavourable(top_words) or bool(bottom_words) and _favourable(bottom_words)
    if reversed_scale:
        return ScaleMatch("0-10", "agreement", [], exclude, check="why",
                          reason="a 0-10 scale whose top is labelled unfavourable: tick the positive answers")
    positive = sorted((a for a, n in numbers.items() if low <= n <= high), key=lambda a: -numbers[a])
    return ScaleMatch("0-10", "agreement", positive, exclude, check="why",
                      reason=f"a 0-10 scale: {low} to {high} suggested as positive (top box rule; 9-10 is the "
                             "other common rule): confirm or change")


def _favourable(words: str) -> bool:
    """On the favourable side of a scale whose favourable end is known."""
    return any(scale.sure and (lv := scale.level_of(words)) is not None and lv < scale.positive_levels
               for scale in SCALES)


def _unfavourable(words: str) -> bool:
    """Neutral, or on the unfavourable side of a scale whose favourable end is known, or a "no"."""
    if _favourable(words):
        return False
    if re.match(r"(?:no|not|never|none|nothing|n)\b", words):
        return True
    return any(scale.sure and (scale.level_of(words) is not None or words in scale.neutral)
               for scale in SCALES)


def positive_answers(answers: list[str], about: str = "") -> list[str]:
    """The answers ``classify`` counts as positive (none when a person must decide)."""
    match = classify(answers, about)
    return [] if match.check else match.positive
