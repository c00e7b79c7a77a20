"""A trainer fills a workspace with the fictional demo set: the same seed gives the same records,
every record imports, every one says it is fictional, and the shares look like the real samples."""

from __future__ import annotations

import inspect
import itertools
import tracemalloc
from collections import Counter

import orjson
import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from kirok.records.demo import (
    CAMP, CAMP_PREFIX, DATA, FICTIONAL_EN, FICTIONAL_KO, REAL_NAMES, DemoSet, generate, romanized_name, streams, write_files,
)
from kirok.korean import fold_word, plain, romanize_name, romanize_place
from kirok.records.importing import import_files, import_streams
from kirok.records.models import Changeset, Event, Person, Source, Version
from kirok.records.registry import ORDER
from kirok.types.dates import UncertainDate
from kirok.types.text import has_hangul


def _files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def sample():
    """N=2000, generated once: the size `make demo` loads."""
    demo = DemoSet(2000, seed=1)
    return demo, {t: list(records) for t, records in demo}


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_records(tmp_path):
    write_files(DemoSet(200, seed=7), tmp_path / "a")
    write_files(DemoSet(200, seed=7), tmp_path / "b")
    write_files(DemoSet(200, seed=8), tmp_path / "c")
    a, b, c = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert sorted(a) == [f"{t}.jsonl" for t in sorted(ORDER)]
    assert a == b
    assert a["person.jsonl"] != c["person.jsonl"] and a["event.jsonl"] != c["event.jsonl"]
    first = orjson.loads(a["person.jsonl"].splitlines()[0])
    assert first["id"] == DemoSet(200, seed=7).uid("person", 0)


def test_a_record_does_not_depend_on_what_was_generated_before():
    demo = DemoSet(600, seed=3)
    acts = list(demo.records("act"))
    fresh = DemoSet(600, seed=3)
    assert fresh._act(500) == acts[500]
    assert fresh._information(40) == list(demo.records("information"))[40]


def test_every_generated_record_imports_and_a_second_run_changes_nothing(reference):
    demo = DemoSet(240, seed=5)
    counts = demo.counts()
    report = import_streams(streams(demo), kind="demo", reason="test")
    assert report.rejected == []
    assert {t: o.created for t, o in report.outcomes.items()} == {t: n for t, n in counts.items() if n}
    assert Changeset.objects.get(pk=report.changeset_id).kind == "demo"
    assert Version.objects.filter(changeset_id=report.changeset_id).count() == sum(counts.values())
    # References landed: a testimony names its witness, an act its victim and event.
    source = Source.objects.filter(witness__isnull=False).first()
    assert source.witness.external_id.startswith("demo:person:")
    person = Person.objects.get(external_id="demo:person:0")
    assert person.acts_suffered.exists()
    again = import_streams(streams(DemoSet(240, seed=5)), kind="demo")
    assert (again.created, again.updated, again.unchanged) == (0, 0, sum(counts.values()))


def test_the_files_load_with_kirok_import(reference, tmp_path):
    demo = DemoSet(120, seed=2)
    written = write_files(demo, tmp_path)
    report = import_files(sorted(tmp_path.glob("*.jsonl")))
    assert report.rejected == [] and report.created == sum(written.values())
    assert Event.objects.filter(external_id__startswith="demo:event:").count() == demo.generated()["event"] == written["event"] - 1
    assert str(Event.objects.get(external_id=f"{CAMP_PREFIX}event").uid) == demo.camp_uid("event", 0)  # and the camp's


def test_the_command_imports_refuses_another_seed_and_writes_files(reference, tmp_path, capsys):
    call_command("demo_data", size=60, seed=4, no_progress=True)
    out = capsys.readouterr().out
    with_camp = 60 + len(CAMP["person"])
    assert "person" in out and f"{with_camp}" in out and "fictional" in out and "Camp No. 99" in out
    assert Person.objects.filter(external_id__startswith="demo:person:").count() == 60
    assert Person.objects.filter(external_id__startswith="demo:").count() == with_camp
    assert Changeset.objects.filter(kind="demo").count() == 1
    with pytest.raises(CommandError, match="another seed"):
        call_command("demo_data", size=60, seed=5, no_progress=True)
    call_command("demo_data", size=60, seed=4, output=tmp_path, no_progress=True)
    assert (tmp_path / "person.jsonl").read_bytes().count(b"\n") == with_camp


def test_every_record_is_marked_fictional_and_has_a_demo_external_id(sample):
    demo, records = sample
    for record_type, rows in records.items():
        generated = demo.generated()[record_type]
        for n, row in enumerate(rows[:generated]):
            assert row["external_id"] == f"demo:{record_type}:{n}"
        assert [row["external_id"] for row in rows[generated:]] == [r["external_id"] for r in CAMP.get(record_type, [])]
        assert all(row["external_id"].startswith(CAMP_PREFIX) for row in rows[generated:])
    assert all(r["title"].startswith(FICTIONAL_EN) for r in records["source"])
    assert all(FICTIONAL_EN in r["remarks"] and FICTIONAL_KO in r["remarks"] for r in records["person"])
    assert all(FICTIONAL_EN in r["description"] and r["title"].startswith(FICTIONAL_KO) for r in records["event"])
    assert all(FICTIONAL_EN in r["note"] for t in ("place", "organization") for r in records[t])
    assert all(FICTIONAL_KO in r["remarks"] for t in ("act", "involvement", "information", "intervention") for r in records[t])


def _camp(demo: DemoSet) -> dict[str, list[dict]]:
    return {t: [r for r in rows if r["external_id"].startswith(CAMP_PREFIX)] for t, rows in demo}


@pytest.mark.parametrize("size, seed", [(1, 1), (7, 2), (300, 9)])
def test_every_demo_set_holds_the_same_fictional_camp_no_99(size, seed, sample):
    """Whatever the size and seed: the same records with the same external ids (the ids, drawn
    from the seed, differ), pointing only at each other and at the shipped ministry; W2's
    testimony consented to internal use only; no coordinates anywhere; no real name."""
    camp, reference = _camp(DemoSet(size, seed)), _camp(sample[0])
    strip = lambda rows: [{k: v for k, v in r.items() if k != "id"} for r in rows]  # noqa: E731
    assert {t: strip(rows) for t, rows in camp.items()} == {t: strip(rows) for t, rows in reference.items()}
    assert {t: len(rows) for t, rows in camp.items() if rows} == {t: len(rows) for t, rows in CAMP.items()}
    ids = {r["external_id"] for rows in camp.values() for r in rows}
    pointers = {v for rows in camp.values() for r in rows for k, v in r.items()
                if k != "external_id" and isinstance(v, str) and v.startswith(("demo:", "ref:"))}
    pointers |= {p for r in camp["event"] for p in r["places"]}
    assert pointers - ids == {"ref:institution:mss"}
    consents = {r["external_id"]: r["consents"][0]["scopes"] for r in camp["source"]}
    assert consents[f"{CAMP_PREFIX}testimony-2"] == ["internal"] and "prosecutors" in consents[f"{CAMP_PREFIX}testimony-1"]
    assert not any(k in r for rows in camp.values() for r in rows for k in ("latitude", "longitude"))
    hangul = [n["full_name"] for r in camp["person"] for n in r["names"] if n["script"] == "Hang"]
    assert len(hangul) == len(CAMP["person"]) and not set(hangul) & REAL_NAMES
    assert all("(가상)" in r["name_ko"] and "fictional" in r["name_en"] for t in ("place", "organization") for r in camp[t])
    same_ids = [r["id"] for r in camp["person"]] == [r["id"] for r in reference["person"]]
    assert same_ids == (seed == sample[0].seed)  # the ids follow the seed, not the size


def test_persons_have_a_hangul_name_and_romanized_variants(sample):
    _, records = sample
    systems = Counter()
    family_spellings: dict[str, set[str]] = {}
    for person in records["person"]:
        names = person["names"]
        hangul = [n for n in names if n["script"] == "Hang"]
        latin = [n for n in names if n["script"] == "Latn"]
        assert hangul and has_hangul(hangul[0]["full_name"]) and hangul[0]["name_type"] == "primary"
        assert 1 <= len(latin) <= 3
        assert len({n["full_name"] for n in names}) == len(names)
        assert not any(n["full_name"] in REAL_NAMES for n in hangul)
        systems.update(n["romanization"] for n in latin)
        surname = fold_word(hangul[0]["family_name"])
        family_spellings.setdefault(surname, set()).update(n["family_name"] for n in latin)
    assert set(systems) == {"rr", "mr", "dprk", "other"}
    assert {"Lee", "Yi", "Ri", "Rhee"} <= family_spellings["이"]
    assert {"Park", "Pak"} <= family_spellings["박"]
    assert {"Choi", "Choe"} <= family_spellings["최"]
    assert {"Jung", "Jong", "Chung"} <= family_spellings["정"]
    surnames = Counter(fold_word(p["names"][0]["family_name"]) for p in records["person"])
    assert [s for s, _ in surnames.most_common(3)] == ["김", "이", "박"]


def test_romanization_follows_the_three_systems():
    import random

    rng = random.Random(0)
    forms = {romanized_name("박", "동구", "dprk", rng)[0] for _ in range(3)}
    assert forms == {"Pak Tong Gu"}
    assert romanized_name("리", "영철", "dprk", rng)[0] == "Ri Yong Chol"
    assert romanized_name("최", "선희", "dprk", rng)[0] == "Choe Son Hui"
    assert {romanized_name("리", "영철", "mr", rng)[0] for _ in range(20)} == {"Yi Yŏng-ch'ŏl", "Yi Yong-chol"}


def test_the_spellings_are_kirok_koreans(sample):
    """The demo draws which spelling a fictional document uses; the spellings themselves are
    kirok.korean's, the same the search and the blind index fold."""
    _, records = sample
    checked = Counter()
    for person in records["person"]:
        hangul = [n["full_name"] for n in person["names"] if n["script"] == "Hang"]
        for name in person["names"]:
            system = name.get("romanization")
            if system == "dprk":
                # From the DPRK Hangul spelling; a person recorded only under the ROK one is skipped.
                if name["full_name"] not in {romanize_name(h, "dprk") for h in hangul}:
                    assert len(hangul) == 1 and fold_word(hangul[0][0]) == hangul[0][0], (hangul, name)
                    checked["dprk, DPRK Hangul not recorded"] += 1
                    continue
            elif system == "mr":  # MR writes the ROK spelling, with or without diacritics
                assert name["full_name"] in {f(romanize_name(hangul[0], "mr")) for f in (str, plain)}
            checked[system] += 1
    assert checked["dprk"] > 100 and checked["mr"] > 100
    assert checked["dprk, DPRK Hangul not recorded"] < checked["dprk"] / 4
    counties = [p for p in records["place"] if p.get("division_type") in ("city", "county", "district")]
    assert counties
    for place in counties:
        assert place["mr"] == romanize_place(place["name_ko"], "mr")
        assert place["dprk"] == romanize_place(place["name_ko"], "dprk")
        assert place["rr"] == romanize_place(place.get("name_rok") or place["name_ko"], "rr")
    assert fold_word("량강") == "양강" and fold_word("리") == "이"


def test_the_scenario_tables_are_data_marked_fictional(sample):
    _, records = sample
    folder = DATA / "demo"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "fictional" in readme.lower() and "synthetic" in readme.lower()
    titles = {s["title_ko"] for s in yaml.safe_load((folder / "scenarios.yaml").read_text(encoding="utf-8"))["scenarios"]}
    assert all(any(t in event["title"] for t in titles) for event in records["event"])
    surnames = yaml.safe_load((folder / "names.yaml").read_text(encoding="utf-8"))["surnames"]
    assert {p["names"][0]["family_name"] for p in records["person"]} <= set(surnames) | {fold_word(s) for s in surnames}


def test_shares_follow_the_published_figures(sample):
    demo, records = sample
    records = {t: rows[: demo.generated()[t]] for t, rows in records.items()}  # the drawn records, not the camp's
    n = demo.size
    assert len(records["person"]) == n and len(records["act"]) == n
    assert len(records["event"]) == n // 3 and len(records["source"]) == n // 5
    basis = Counter(s["testimony_basis"] for s in records["source"] if "testimony_basis" in s)
    total = sum(basis.values())
    for code, share in (("direct_experience", 69.0), ("witnessed", 22.3), ("hearsay", 8.7)):
        assert abs(100 * basis[code] / total - share) < 5, (code, basis)
    interviews = sum(1 for s in records["source"] if s.get("material_type") == "interview")
    assert 0.80 < interviews / len(records["source"]) < 0.95  # NKDB: 88.3 %
    provinces = Counter(p for e in records["event"] for p in e["places"] if p.startswith("ref:division:"))
    assert provinces.most_common(1)[0][0] == "ref:division:KP-09"
    assert provinces["ref:division:KP-09"] / len(records["event"]) > 0.35
    kinds = Counter(UncertainDate.parse(a.get("start_date")).type for a in records["act"])
    assert {"exact", "estimate", "unknown_day", "unknown_month_and_day", "range"} <= set(kinds)
    testimonies = [s for s in records["source"] if s.get("kind") == "testimony"]
    assert all(s["consents"][0]["scopes"][0] == "internal" for s in testimonies)
    assert any(c.get("withdrawn") for s in testimonies for c in s["consents"])
    per_event = Counter(i["event"] for i in records["information"])
    assert len(per_event) == len(records["event"]) and max(per_event.values()) >= 2
    assert records["chain_of_events"] and records["intervention"]
    assert any("perpetrator" in i for i in records["involvement"])
    assert any(b.get("position") for b in records["biographic_detail"])
    assert any(b.get("related_person") for b in records["biographic_detail"])


def test_victims_are_old_enough_and_the_dead_do_not_testify(sample):
    demo, records = sample
    ages = [a["age_at_time"] for a in records["act"] if "age_at_time" in a]
    assert ages and min(ages) >= 0
    dead = {p["external_id"] for p in records["person"] if p.get("deceased")}
    assert dead, "some victims die in custody, in camps or by execution"
    assert not dead & {s.get("witness") for s in records["source"]}


def test_it_streams_lazily_in_bounded_memory():
    assert inspect.isgeneratorfunction(DemoSet.records)
    demo = DemoSet(1_000_000, seed=1, cache=256)  # a million persons, nothing generated yet
    record_types = [t for t, _ in generate(5, seed=1)]
    assert record_types == list(ORDER)
    acts = demo.records("act")
    assert inspect.isgenerator(acts)
    tracemalloc.start()
    try:
        for _ in itertools.islice(acts, 500):
            pass
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        for _ in itertools.islice(acts, 1500):
            pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak - baseline < 512 * 1024  # three times the records, no more memory


def test_the_demo_makes_the_worked_case_on_camp_99_once_and_the_viewer_reads_it(reference, client):
    """`make demo` shows a case: demo-data builds case camp-99 on the camp (kirok/records/demo_case.py)
    in the demo records' compartment, with its links and two evidence files; a second run leaves
    it as it is, and the demo viewer reads its page."""
    from io import StringIO

    from django.contrib.auth import get_user_model

    from kirok.cases.models import Case
    from kirok.evidence.models import CustodyEvent, Item
    from kirok.records import demo_case
    from tests.accounts.helpers import sign_in_as

    out = StringIO()
    call_command("demo_data", "--size", "8", "--seed", "3", "--viewer", "demo", "--no-progress", stdout=out)
    case = Case.objects.get(key=demo_case.CASE["key"])
    assert "Made case camp-99" in out.getvalue() and case.compartment.is_default
    assert case.links.count() == len(demo_case.CASE["links"]) and case.suspects.get().person.external_id == f"{CAMP_PREFIX}commander"
    items = {i.source.external_id: i for i in Item.objects.select_related("source")}
    assert set(items) == {e["source"] for e in demo_case.EVIDENCE}
    assert case.links.get(item__isnull=False).item == items[f"{CAMP_PREFIX}rules"]
    custody = CustodyEvent.objects.count()
    again = StringIO()
    call_command("demo_data", "--size", "8", "--seed", "3", "--no-progress", stdout=again)
    assert "exists already" in again.getvalue()
    assert (Case.all_objects.count(), Item.objects.count(), CustodyEvent.objects.count()) == (1, 2, custody)
    sign_in_as(client, get_user_model().objects.get(username="demo"))
    page = client.get(f"/cases/{case.uid}/")
    assert page.status_code == 200 and "Camp No. 99 (fictional demo)" in page.content.decode()


def test_a_case_that_cannot_be_made_leaves_the_demo_and_its_viewer_and_writes_nothing_of_it(reference, monkeypatch):
    from io import StringIO

    from django.contrib.auth import get_user_model

    from kirok.cases.models import Case
    from kirok.evidence.models import Item
    from kirok.records import demo_case

    monkeypatch.setitem(demo_case.CASE, "charges", ["no-such-framework:7(1)(e)"])  # a workspace without the shipped framework
    out, err = StringIO(), StringIO()
    call_command("demo_data", "--size", "5", "--seed", "3", "--viewer", "demo", "--no-progress", stdout=out, stderr=err)
    assert "was not made" in err.getvalue() and "no-such-framework" in err.getvalue()
    assert Person.objects.filter(external_id=f"{CAMP_PREFIX}commander").exists() and get_user_model().objects.filter(username="demo").exists()
    assert not Case.all_objects.exists() and not Item.objects.exists()  # all or nothing: not even the evidence files
