"""The vocabulary of UK survey scales: which answers count as positive, case by case."""

from __future__ import annotations

import pytest

from feedback.survey.scales import SCALES, answer_words, classify, never_positive

# (answers as a supplier writes them, the positive answers expected strongest first, the kind)
KNOWN = [
    (["Very poor", "Fairly good", "Fairly poor", "Very good"], ["Very good", "Fairly good"], "agreement"),
    (["Strongly agree", "Tend to agree", "Neither agree nor disagree", "Tend to disagree", "Strongly disagree",
      "Don't know"], ["Strongly agree", "Tend to agree"], "agreement"),
    (["Agree", "Strongly disagree", "Strongly agree", "Disagree", "Neither agree nor disagree"],
     ["Strongly agree", "Agree"], "agreement"),
    (["Very satisfied", "Fairly satisfied", "Neither satisfied nor dissatisfied", "Fairly dissatisfied",
      "Very dissatisfied"], ["Very satisfied", "Fairly satisfied"], "agreement"),
    (["Very unlikely", "Fairly likely", "Very likely", "Fairly unlikely", "Neither likely nor unlikely"],
     ["Very likely", "Fairly likely"], "agreement"),
    (["Not very useful", "Very useful", "Not at all useful", "Fairly useful", "Don't know"],
     ["Very useful", "Fairly useful"], "usefulness"),
    (["Know just a little", "Know a great deal", "Never heard of", "Heard of, know nothing about",
      "Know a fair amount"], ["Know a great deal", "Know a fair amount"], "awareness"),
    (["Very confident", "Not at all confident", "Fairly confident", "Not very confident"],
     ["Very confident", "Fairly confident"], "agreement"),
    (["Trust a fair amount", "Do not trust at all", "Trust a great deal", "Do not trust very much"],
     ["Trust a great deal", "Trust a fair amount"], "agreement"),
    (["Not very important", "Very important", "Fairly important", "Not at all important"],
     ["Very important", "Fairly important"], "agreement"),
    (["Very ineffective", "Fairly effective", "Very effective", "Fairly ineffective"],
     ["Very effective", "Fairly effective"], "agreement"),
    (["Good", "Poor", "Excellent", "Fair", "Very good"], ["Excellent", "Very good", "Good"], "agreement"),
    (["Fairly unclear", "Very clear", "Fairly clear", "Very unclear"], ["Very clear", "Fairly clear"], "agreement"),
    (["Very difficult", "Fairly easy", "Very easy", "Fairly difficult", "Neither easy nor difficult"],
     ["Very easy", "Fairly easy"], "agreement"),
    (["No", "Yes", "Don't know"], ["Yes"], "yes_no"),
    (["Yes, some of it", "No, none of it", "Yes, all of it", "Don't know"], ["Yes, all of it", "Yes, some of it"],
     "yes_no"),
    (["Not selected", "Selected"], ["Selected"], "multi_select"),
    (["A fair amount", "Not at all", "A great deal", "Not very much"], ["A great deal", "A fair amount"], "agreement"),
    (["Much worse", "A little better", "About the same", "Much better", "A little worse"],
     ["Much better", "A little better"], "agreement"),
    (["Probably not", "Definitely", "Probably", "Definitely not"], ["Definitely", "Probably"], "agreement"),
    (["Probably not", "Definitely yes", "Probably yes", "Definitely not"], ["Definitely yes", "Probably yes"],
     "agreement"),
    (["I know a little", "I have never heard of it", "I know a great deal", "I know a fair amount",
      "I have heard of it but know nothing about it"], ["I know a great deal", "I know a fair amount"], "awareness"),
    (["Got a little worse", "Improved a lot", "Stayed the same", "Improved a little", "Got a lot worse"],
     ["Improved a lot", "Improved a little"], "agreement"),
    (["Tend to oppose", "Strongly support", "Neither support nor oppose", "Tend to support", "Strongly oppose"],
     ["Strongly support", "Tend to support"], "agreement"),
    (["Not very well informed", "Very well informed", "Fairly well informed", "Not at all informed"],
     ["Very well informed", "Fairly well informed"], "agreement"),
    (["Fairly aware", "Not at all aware", "Very aware", "Not very aware"], ["Very aware", "Fairly aware"], "awareness"),
    (["Neutral", "Very negative", "Fairly positive", "Very positive", "Fairly negative"],
     ["Very positive", "Fairly positive"], "agreement"),
    (["N", "Y"], ["Y"], "yes_no"),
    (["Not too happy", "Very happy", "Pretty happy"], ["Very happy", "Pretty happy"], "agreement"),
    (["Hardly interested", "Very interested", "Quite interested", "Not at all interested"],
     ["Very interested", "Quite interested"], "agreement"),
    (["Somewhat satisfied", "Very satisfied", "Neither satisfied nor dissatisfied", "Somewhat dissatisfied",
      "Very dissatisfied"], ["Very satisfied", "Somewhat satisfied"], "agreement"),
]


@pytest.mark.parametrize("answers, positive, kind", KNOWN, ids=[a[0][0] + "…" for a in KNOWN])
def test_each_scale_gives_its_favourable_end_strongest_first(answers, positive, kind):
    match = classify(answers, "")
    assert (match.positive, match.kind, match.check) == (positive, kind, "")
    assert not any(never_positive(a) for a in match.positive)
    assert all(never_positive(a) for a in answers if a not in positive)


@pytest.mark.parametrize("answer", [
    "Very poor", "Fairly dissatisfied", "Very dissatisfied", "Very low", "Not very useful", "Never heard of",
    "Never heard of it", "Neither agree nor disagree", "Don't know", "Don’t know", "Dont know", "DON'T KNOW",
    "Prefer not to say", "N/A", "Not applicable", "Have not used it", "Heard of, know nothing about",
    "Very unlikely", "Fairly poor", "Tend to disagree", "Not at all confident", "Fairly ineffective", "Poor",
    "Neither satisfied nor dissatisfied", "Fair", "No", "Not sure", "Very difficult", "Not very important",
])
def test_unfavourable_neutral_and_non_answers_are_never_positive(answer):
    assert never_positive(answer)
    for answers in (["Very good", answer], ["Strongly agree", answer], ["Very useful", "Fairly useful", answer],
                    ["Yes", "No", answer], [answer, "Very satisfied", "Fairly satisfied"]):
        assert answer not in classify(answers, "").positive, answers


def test_the_reported_rating_is_not_counted_as_positive_on_the_poor_side():
    """The "very/fairly anything is positive" rule counted 63% where the good share was 43%."""
    answers = ["Very good"] * 20 + ["Fairly good"] * 23 + ["Fairly poor"] * 37 + ["Very poor"] * 20
    positive = classify(list(dict.fromkeys(answers)), "Q5. Overall, how would you rate the Panel's communication?")
    share = sum(a in positive.positive for a in answers) / len(answers)
    assert positive.positive == ["Very good", "Fairly good"] and share == pytest.approx(0.43)


@pytest.mark.parametrize("answers, positive", [
    (["1 - Strongly agree", "2 - Tend to agree", "3 - Neither agree nor disagree", "4 - Tend to disagree",
      "5 - Strongly disagree"], ["1 - Strongly agree", "2 - Tend to agree"]),
    (["5 = Very good", "4 = Good", "3 = Neither good nor poor", "2 = Poor", "1 = Very poor"],
     ["5 = Very good", "4 = Good"]),
    (["Very useful (1)", "Fairly useful (2)", "Not very useful (3)", "Not at all useful (4)"],
     ["Very useful (1)", "Fairly useful (2)"]),
    (["STRONGLY AGREE", "tend to agree", "Tend to Disagree", "strongly disagree"], ["STRONGLY AGREE", "tend to agree"]),
    (["Yes", "No", "Dont know", "Prefer not to say"], ["Yes"]),
    (["Strongly agree", "Agree", "Disagree", "N/A"], ["Strongly agree", "Agree"]),
])
def test_answers_match_whatever_the_case_punctuation_or_numeric_code(answers, positive):
    match = classify(answers, "")
    assert (match.positive, match.check) == (positive, "")


def test_answer_words():
    assert answer_words("1 - Strongly agree") == "strongly agree"
    assert answer_words("5 = Very good") == "very good"
    assert answer_words("Don’t know") == answer_words("Dont know") == answer_words("DON'T KNOW") == "dont know"
    assert answer_words("N/A") == "n a"
    assert answer_words("Heard of, know nothing about") == "heard of know nothing about"


def test_not_applicable_answers_are_suggested_out_of_the_base_but_dont_know_stays():
    match = classify(["Very useful", "Fairly useful", "Not very useful", "Have not used it", "Don't know"], "")
    assert match.exclude == ["Have not used it"] and match.positive == ["Very useful", "Fairly useful"]
    easy = classify(["Very easy", "Fairly easy", "Not very easy", "Not at all easy", "Haven’t tried"], "")
    assert easy.exclude == ["Haven’t tried"] and easy.positive == ["Very easy", "Fairly easy"]
    gp = classify(["Yes, definitely", "Yes, to some extent", "No, not at all", "Don't know / can't say"], "")
    assert (gp.positive, gp.exclude, gp.check) == (["Yes, definitely", "Yes, to some extent"], [], "")


@pytest.mark.parametrize("answers, reason", [
    (["Red", "Blue", "Green"], "not in any scale"),
    (["Always", "Often", "Sometimes", "Rarely", "Never"], "frequency"),
    (["Very high", "Fairly high", "Fairly low", "Very low"], "high/low"),
    (["1", "2", "3", "4", "5"], "numbers 1 to 5"),
    (["1", "0"], "0 and 1"),
    (["Letters"], "only one answer"),
    (["A lot more", "A little more", "About the same", "A little less", "A lot less"], "more/less"),
])
def test_an_unknown_scale_or_an_unknown_direction_is_not_guessed(answers, reason):
    match = classify(answers, "")
    assert match.check == "why" and match.positive == [] and reason in match.reason


def test_a_scale_with_an_answer_it_does_not_know_keeps_only_the_certain_positives_and_asks():
    match = classify(["Very helpful", "Fairly helpful", "Not very helpful", "Somewhat worrying"], "")
    assert match.check == "why" and match.positive == ["Very helpful", "Fairly helpful"]
    assert "'Somewhat worrying'" in match.reason
    yes = classify(["Yes", "No", "Maybe"], "")
    assert yes.check == "why" and yes.positive == ["Yes"] and "'Maybe'" in yes.reason


def test_zero_to_ten_top_box_is_stated_and_left_to_confirm():
    answers = ["0 - Not at all likely", *map(str, range(1, 10)), "10 - Extremely likely"]
    match = classify(answers, "How likely are you to recommend the Panel?")
    assert match.positive == ["10 - Extremely likely", "9", "8", "7"] and match.check == "why"
    assert "7 to 10" in match.reason
    backwards = classify(["0 - Extremely likely", *map(str, range(1, 10)), "10 - Not at all likely"], "")
    assert backwards.positive == [] and backwards.check == "why"


def test_awareness_kind_from_the_question_and_labelled_zero_one():
    assert classify(["Yes", "No"], "Had you heard of the Panel?").kind == "awareness"
    assert classify(["Yes", "No"], "Did you take part?").kind == "yes_no"
    assert classify(["0", "1"], "Emails from the Panel", labelled=True).positive == ["1"]


def test_every_scale_is_well_formed():
    names = [s.name for s in SCALES]
    assert len(names) == len(set(names))
    for scale in SCALES:
        seen = set()
        for level in scale.levels:
            assert not (level & seen), (scale.name, level & seen)  # a spelling in one level only
            seen |= level
        assert not (seen & scale.neutral), scale.name
        assert scale.sure == (scale.positive_levels > 0)


def test_frequency_is_suggested_only_for_doing_something_useful_and_always_left_to_confirm():
    answers = ["Always", "Often", "Sometimes", "Rarely", "Never"]
    use = classify(answers, "How often, if at all, do you use learning from safeguarding practice reviews?")
    assert (use.positive, use.check) == (["Always", "Often"], "why") and "confirm" in use.reason
    for about in ("How often do you experience delays in getting a response?",
                  "How often do you discuss exploitation concerns with other agencies?", "Frequency"):
        match = classify(answers, about)
        assert (match.positive, match.check) == ([], "why"), about


def test_the_middle_of_a_one_sided_scale_is_not_counted_without_asking():
    match = classify(["Extremely useful", "Very useful", "Moderately useful", "Slightly useful",
                      "Not at all useful"], "")
    assert (match.positive, match.check) == (["Extremely useful", "Very useful"], "why")
    assert "'Slightly useful'" in match.reason


def test_no_scale_ever_counts_an_unfavourable_answer_whatever_the_order_and_spelling():
    """Every spelling of every level of every scale, shuffled with neutral and non-answers:
    positive answers are only ever from the favourable levels."""
    import random

    from feedback.survey.scales import DONT_KNOW, NEVER_HEARD, NOT_APPLICABLE, PREFER_NOT

    rng = random.Random(20)
    extras = [sorted(DONT_KNOW)[0], sorted(PREFER_NOT)[0], sorted(NOT_APPLICABLE)[0], sorted(NEVER_HEARD)[0]]
    checked = 0
    for scale in SCALES:
        for _ in range(30):
            answers = [rng.choice(sorted(level)) for level in scale.levels]
            answers += rng.sample(sorted(scale.neutral), k=min(1, len(scale.neutral))) + rng.sample(extras, k=2)
            answers = [rng.choice([a, a.upper(), a.title(), f"{i + 1} - {a}"]) for i, a in enumerate(answers)]
            rng.shuffle(answers)
            match = classify(list(dict.fromkeys(answers)), "")
            words = {a: answer_words(a) for a in answers}
            favourable = {w for level in scale.levels[:scale.positive_levels] for w in level}
            assert all(words[a] in favourable or any(words[a] in lv for s in SCALES if s.sure
                                                     for lv in s.levels[:s.positive_levels]) for a in match.positive)
            assert not [a for a in match.positive if never_positive(a)], (scale.name, answers, match)
            checked += 1
    assert checked == 30 * len(SCALES)
