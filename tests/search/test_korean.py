"""What an analyst means, found in whichever script or spelling a record uses: morphology,
DPRK/ROK orthography, romanization of places and names, phrases, prefixes, operators, filters."""

from __future__ import annotations

import pytest

from kirok.search.services import search

pytestmark = pytest.mark.django_db


def found(text, user=None, **filters) -> set[str]:
    results = search(text, user=user, filters=filters or None, limit=100)
    assert not results.error, results.error
    return {h.external_id for h in results.hits}


def test_cross_script_morphology_and_orthography(world):
    user = world.users["analyst"]
    event = world.north.ext("event")
    cases = {
        "구금되었다": event, "구금": event, "노동단련대": event, "로동단련대에서": event, "노동단련대*": event,
        "로동*": event, "Yodok": "t:yodok", "Yoduk": "t:yodok", "Yodŏk": "t:yodok", "요덕": "t:yodok", "Yo-dok": "t:yodok",
        "Ri Myong Su": event, "Lee Myung-soo": event, "이명수": event, '"Yi Myŏng-su"': event,
        "김철수": event, "Kim Chol-su": event,
    }
    for query, expected in cases.items():
        assert expected in found(query, user), query
    assert found("요덕", user) == found("Yodŏk", user) == {"t:yodok", event}


def test_phrases_prefixes_and_operators(world):
    user = world.users["analyst"]
    event = world.north.ext("event")
    assert found('"로동단련대에서 구금되었다"', user) == {event}
    assert found('"구금되었다 로동단련대"', user) == set()  # a phrase keeps its order
    assert found("요덕 NOT 구금", user) == {"t:yodok"}
    assert found("요덕 -구금", user) == {"t:yodok"}
    assert found("zzzqqq OR 요덕", user) == {"t:yodok", event}
    assert found("(구금 OR zzzqqq) 요덕", user) == {event}
    assert found("구금 zzzqqq", user) == set()
    for bad in ("NOT 구금", "-구금", "", "에서", "구금 OR NOT 요덕"):
        assert search(bad, user=user).error, bad


def test_filters_and_uncertain_dates(world):
    user = world.users["analyst"]
    event = world.north.ext("event")
    assert found("구금 type:event", user) == {event}
    assert found("요덕", user, type="place") == {"t:yodok"}
    assert found("구금 violation:arbitrary_detention", user) == {event}
    assert event in found("구금 from:1999-06 to:2001", user)  # "1999" may fall in June 1999
    assert found("구금 from:2000", user) == set()
    assert found("구금", user, date_to="1998-12-31") == set()
    assert found("구금", user, date_from="1999-03-15", date_to="1999-03-15") == {event}
    assert found("구금 year:1999", user) == {event}
    assert search("구금 from:yesterday", user=user).error


def test_snippets_mark_matches_in_both_scripts(world):
    results = search("Yodok", user=world.users["analyst"], limit=100)
    hit = next(h for h in results.hits if h.external_id == world.north.ext("event"))
    marked = [hit.snippet[s:e] for s, e in hit.highlights]
    assert "요덕" in marked and any(m.startswith("Yodŏk") for m in marked)


def test_protected_names_match_across_spellings_only_for_those_who_may_see_them(world):
    victim = world.north.ext("victim")
    for query in ("리명수", "이명수", "Lee Myung-soo", "Ri Myong Su"):
        assert victim in found(query, world.users["documenter"]), query
        assert victim not in found(query, world.users["analyst"]), query
    hit = next(h for h in search("이명수", user=world.users["documenter"]).hits if h.external_id == victim)
    assert hit.label == "리명수"  # revealed (and audited) for a role that may see it


def test_the_index_follows_edits_and_deletions(world):
    from kirok.records.history import changeset
    from kirok.records.models import Event

    event = Event.objects.get(external_id=world.north.ext("event"))
    with changeset(actor="test", reason="retitle"):
        event.title = "회령 사건"
        event.save()
    assert world.north.ext("event") in found("Hoeryong")
    with changeset(actor="test", reason="remove"):
        event.delete()
    assert world.north.ext("event") not in found("Hoeryong") | found("구금")


def test_facet_values_are_counted_over_the_best_hits_and_say_so(world, monkeypatch):
    from kirok.protection.principal import Principal
    from kirok.search import services

    operator = Principal.console("test")
    full = search("구금", user=operator, limit=100)
    assert full.total >= 2 and not full.facets_partial
    monkeypatch.setattr(services, "FACET_SAMPLE", 1)
    sampled = search("구금", user=operator, limit=100)
    assert sampled.total == full.total and sampled.facets["type"] == full.facets["type"]  # types and total: all hits
    assert sampled.facets_over == 1 and sampled.facets_partial
    assert all(n == 1 for name, values in sampled.facets.items() if name != "type" for _v, _l, n in values)
    assert [h.external_id for h in sampled.hits] == [h.external_id for h in full.hits]


def test_a_name_asked_whole_does_not_also_ask_its_parts():
    """In running text a run of capitalised words may hold a name and more, so its parts are
    keys too; a query names a person whole, and the part "Hur Hui" (surname 허, given name 희)
    would rank every 허희-something beside 허희옥. MR's syllable mark written apart (Chin 'gu)
    reads as in Chin'gu (진구)."""
    from kirok.korean import name_keys
    from kirok.search import analysis

    def keys(name: str) -> set[str]:
        return {analysis.clean(k) for k in name_keys(name)}

    whole, part = keys("허희옥"), keys("Hur Hui")
    assert whole & analysis.query_whole_keys("Hur Hui Ok")
    assert not part & analysis.query_whole_keys("Hur Hui Ok")
    assert part & set(analysis.whole_keys("Hur Hui Ok said so"))
    for written in ("Hong Chin 'gu", "Hong Chin'gu", "hong chin 'gu"):
        assert keys("홍진구") & analysis.query_whole_keys(written), written
    assert analysis.whole_keys("he said 'go home'") == []
