"""Reading the record: dashboard, lists, record pages, history — only what the user may see."""

import pytest

from kirok.records.models import Event

from .helpers import event, member, person, sign_in, source

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(world, client):
    sign_in(client, member("analyst-p", "analyst"))
    return client


def test_dashboard_counts_only_the_users_compartments(world, reader):
    body = reader.get("/dashboard/").content.decode()
    assert "구금 north" in body and "구금 south" not in body
    response = reader.get("/dashboard/")
    totals = dict((str(label), n) for label, n in response.context["figures"].totals)
    assert totals == {"events": 1, "acts": 1, "persons": 2, "sources": 1}
    types = [(t.code, n) for t, n in response.context["figures"].by_type]
    assert types == [("arbitrary_detention", 1)]


def test_dashboard_figures_follow_a_new_record_at_once(world, reader):
    from kirok.protection.compartments import assigning
    from kirok.records import history

    before = dict((str(k), n) for k, n in reader.get("/dashboard/").context["figures"].totals)
    with assigning(["north"]), history.changeset(actor="test", reason="another fictional event"):
        Event(title="두 번째 north").save()
    after = dict((str(k), n) for k, n in reader.get("/dashboard/").context["figures"].totals)
    assert after["events"] == before["events"] + 1


def test_record_outside_the_compartments_is_not_found_everywhere(world, reader):
    _north, south = world
    for url in (f"/events/{event(south).uid}/", f"/events/{event(south).uid}/history/",
                f"/persons/{person(south).uid}/", f"/sources/{source(south).uid}/",
                "/events/00000000-0000-4000-8000-000000000000/"):
        assert reader.get(url).status_code == 404, url


def test_event_page_links_its_acts_and_sources(world, reader):
    north, _south = world
    body = reader.get(f"/events/{event(north).uid}/").content.decode()
    act = event(north).acts.get()
    assert f'href="/acts/{act.uid}/"' in body
    assert f'href="/sources/{source(north).uid}/"' in body
    act_page = reader.get(f"/acts/{act.uid}/").content.decode()
    assert f'href="/persons/{person(north).uid}/"' in act_page and f'href="/events/{event(north).uid}/"' in act_page


def test_person_page_lists_what_is_linked_to_them(world, reader):
    from kirok.protection.pseudonyms import pseudonym

    north, _south = world
    victim = person(north)
    body = reader.get(f"/persons/{victim.uid}/").content.decode()
    assert pseudonym(str(victim.uid)) in body
    assert f'href="/acts/{event(north).acts.get().uid}/"' in body
    witness = person(north, "witness")
    assert f'href="/sources/{source(north).uid}/"' in reader.get(f"/persons/{witness.uid}/").content.decode()


def test_lists_filter_and_page_by_key(world, reader):
    from kirok.protection.compartments import assigning
    from kirok.records import history
    from kirok.web import queries

    with assigning(["north"]), history.changeset(actor="test", reason="fictional events for paging"):
        for n in range(queries.PAGE_SIZE + 5):
            e = Event(title=f"페이지 시험 {n:03d}")
            e.start_date = "2001" if n % 2 else "1999~"
            e.save()
    first = reader.get("/events/?q=페이지")
    rows = first.context["rows"]
    assert len(rows) == queries.PAGE_SIZE and rows[0][1] == "페이지 시험 054"
    after = first.context["page"].next_after
    second = reader.get(f"/events/?q=페이지&after={after}")
    assert [r[1] for r in second.context["rows"]] == [f"페이지 시험 {n:03d}" for n in range(4, -1, -1)]
    assert second.context["page"].next_after is None
    in_2001 = reader.get("/events/?q=페이지&from=2001&to=2001").context["rows"]
    assert len(in_2001) == 27 and all("2001" in str(r[0].start_date) for r in in_2001)
    fragment = reader.get("/events/?q=페이지&from=1999&to=1999", HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and "페이지 시험 000" in fragment.content.decode()


def test_lists_never_show_a_record_of_another_compartment(world, reader):
    for url in ("/events/", "/persons/", "/sources/"):
        body = reader.get(url).content.decode()
        assert "south" not in body, url


def test_history_shows_diffs_and_provenance(world, reader):
    from kirok.records import history

    north, _south = world
    e = event(north)
    with history.changeset(actor="editor-x", reason="date corrected after second interview"):
        e.start_date = "1999-03"
        e.save()
    body = reader.get(f"/events/{e.uid}/history/").content.decode()
    assert "date corrected after second interview" in body and "editor-x" in body
    assert "<del>1999</del>" in body and "<ins>1999-03</ins>" in body
    assert "fictional north" in body  # the import's reason: where the first version came from


def test_organization_and_place_pages_link_what_happened_there(gazetteer, world, reader):
    from kirok.records.models import Act, Organization, Place
    from kirok.records import history

    north, _south = world
    yodok = Place.objects.get(name_ko__contains="요덕")
    act = event(north).acts.get()
    with history.changeset(actor="test", reason="place coded"):
        act.place = yodok
        act.save()
    body = reader.get(f"/places/{yodok.uid}/").content.decode()
    assert f'href="/acts/{act.uid}/"' in body
    assert f'href="/places/{yodok.parent.uid}/"' in body
    org = Organization.objects.filter(facilities__isnull=False).first()
    assert f'href="/places/' in reader.get(f"/organizations/{org.uid}/").content.decode()
    assert Act.objects.filter(place=yodok).count() == 1
