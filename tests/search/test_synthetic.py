"""The benchmarks' synthetic corpus (``kirok.search.synthetic``): a collection larger than its
distinct names (37,975 three-syllable names: more than ~455,000 excerpts at one person per 12)
still gets its persons — namesakes — instead of drawing names for ever, and a smaller one keeps the
persons it always had, so that indexes built earlier still match their ground truth."""

from __future__ import annotations

from kirok.search.synthetic import GIVEN, SURNAMES, Corpus


def test_more_persons_than_distinct_names_are_namesakes():
    space = len(SURNAMES) * len(GIVEN) ** 2
    corpus = Corpus(100, seed=3, persons=space + 500)
    assert len(corpus.persons) == space + 500
    assert len(set(corpus.persons)) == space
    assert corpus.excerpt(0).text  # excerpts are made from them as before


def test_a_smaller_corpus_keeps_its_distinct_persons():
    corpus = Corpus(12_000, seed=6)
    assert len(corpus.persons) == len(set(corpus.persons)) == 1_000
    # as drawn before namesakes were added (ebcd94d): an index built then still matches its truth
    assert corpus.persons[:3] == ["오영향", "손국만", "리만영"] and corpus.persons[-1] == "림숙광"
