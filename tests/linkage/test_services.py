"""A reviewer's workflow: an analyst runs linkage, a reviewer works the queue, merges and undoes."""

from __future__ import annotations

import pytest

from kirok.linkage import services
from kirok.linkage.models import Candidate, Judgement, Merge, Run
from kirok.protection.models import ProtectedRead
from kirok.protection.principal import AccessDenied, NotFound


def pair_of(a, b):
    """The pair as the latest run proposed it, if it did."""
    left, right = sorted((a.pk, b.pk))
    return Candidate.objects.filter(run=Run.objects.first(), left_id=left, right_id=right).first()


@pytest.fixture
def ran(collection):
    services.run(user=collection.users["analyst"])
    return collection


def test_every_spelling_of_one_person_is_a_candidate_with_its_reasons(ran):
    un = ran.person("nkdb:P-1")
    for other in ("tjwg:P-7", "kinu:P-3", "ohchr:P-9"):
        c = pair_of(un, ran.person(other))
        assert c is not None, other
        assert c.fields["name"]["level"] in ("keys", "exact", "keys_rare", "exact_rare") and c.fields["name"]["weight"] > 0
        assert set(c.fields) == {"name", "birth_year", "sex", "origin", "places", "units", "source"}
    assert pair_of(ran.person("nkdb:P-4"), ran.person("kinu:P-5")) is not None


def test_kim_jong_il_is_never_proposed_for_kim_jong_un(ran):
    for il in ("nkdb:P-2", "tjwg:P-8"):
        for un in ("nkdb:P-1", "tjwg:P-7", "kinu:P-3", "ohchr:P-9"):
            assert pair_of(ran.person(il), ran.person(un)) is None


def test_the_queue_is_best_first_and_the_run_is_audited_without_revealing(ran):
    queue = list(services.queue(user=ran.users["reviewer"]))
    assert queue and [c.weight for c in queue] == sorted((c.weight for c in queue), reverse=True)
    read = ProtectedRead.objects.filter(purpose=services.PURPOSE).latest("at")
    assert read.actor == "analyst-user" and read.count >= 48


def test_roles_decide_who_runs_and_who_judges(collection):
    with pytest.raises(AccessDenied):
        services.run(user=collection.users["reviewer"])
    services.run(user=collection.users["analyst"])
    with pytest.raises(AccessDenied):
        services.queue(user=collection.users["analyst"])
    un, jong_un = collection.person("nkdb:P-1"), collection.person("tjwg:P-7")
    with pytest.raises(AccessDenied):
        services.judge(un, jong_un, "same", reason="x", user=collection.users["analyst"])


def test_an_outsider_run_sees_nothing_and_a_reviewer_outside_cannot_judge(collection):
    run = services.run(user=collection.outsider)
    assert run.records == 0 and run.candidates == 0
    from kirok.accounts.services import create_user

    stranger, _ = create_user("stranger", "reviewer")
    with pytest.raises(NotFound):
        services.judge(collection.person("nkdb:P-1"), collection.person("tjwg:P-7"), "same", reason="x", user=stranger)


def test_same_merges_and_undo_splits_and_nothing_is_lost(ran):
    reviewer = ran.users["reviewer"]
    a, b, c = ran.person("nkdb:P-1"), ran.person("tjwg:P-7"), ran.person("kinu:P-3")
    j1 = services.judge(a, b, "same", reason="same detention, same birth year", user=reviewer, pair=pair_of(a, b))
    services.judge(b, c, "same", reason="KINU interview names the same camp", user=reviewer)
    assert j1.actor == "reviewer-user" and j1.at and j1.reason
    assert pair_of(a, b).status == Candidate.JUDGED
    ids = services.cluster_ids(user=ran.users["analyst"])
    assert ids[a.pk] == ids[b.pk] == ids[c.pk] == str(a.uid)

    steward = ran.users["data_steward"]
    canonical = services.canonical(c, user=steward)
    assert canonical["members"] == [str(a.uid), str(b.uid), str(c.uid)]
    written = {v["value"][0]["full_name"] for v in canonical["values"]["names"]}
    assert written == {"김정은", "Kim Jong-un", "Kim Jŏng-ŭn"}  # every source's spelling kept
    assert {v["value"] for v in canonical["values"]["birth_date"]} == {"1984", "1983"}
    assert all(v["set_by"] == "test" for v in canonical["values"]["birth_date"])
    masked = services.canonical(c, user=reviewer)["values"]["names"]
    assert all("김정은" not in str(v["value"]) for v in masked)

    merge = Merge.objects.get(judgement=j1)
    services.undo_merge(merge, reason="P-7 turned out to be a namesake", user=reviewer)
    ids = services.cluster_ids(user=ran.users["analyst"])
    assert ids[a.pk] == str(a.uid) and ids[b.pk] == ids[c.pk] == str(b.uid)
    merge.refresh_from_db()
    assert merge.undone_by == "reviewer-user" and Merge.objects.count() == 2  # the undone merge stays
    with pytest.raises(services.LinkageError):
        services.undo_merge(merge, reason="again", user=reviewer)


def test_different_keeps_a_pair_apart_for_good(ran):
    reviewer = ran.users["reviewer"]
    a, b, d = ran.person("nkdb:P-1"), ran.person("tjwg:P-7"), ran.person("ohchr:P-9")
    services.judge(a, d, "different", reason="OHCHR record: another birth place", user=reviewer)
    with pytest.raises(services.LinkageError):
        services.judge(a, d, "same", reason="changed my mind", user=reviewer)
    services.judge(b, d, "same", reason="same camp", user=reviewer)
    with pytest.raises(services.LinkageError):  # a ~ d would follow through b
        services.judge(a, b, "same", reason="same detention", user=reviewer)
    services.run(user=ran.users["analyst"])
    assert pair_of(a, d) is None  # never proposed again
    assert pair_of(b, d) is None  # already one cluster


def test_a_judgement_needs_a_reason_and_is_written_once(ran):
    a, b = ran.person("nkdb:P-4"), ran.person("kinu:P-5")
    with pytest.raises(services.LinkageError):
        services.judge(a, b, "same", reason="  ", user=ran.users["reviewer"])
    j = services.judge(a, b, "unsure", reason="need the interview", user=ran.users["reviewer"])
    assert Merge.objects.count() == 0
    with pytest.raises(PermissionError):
        j.save()
    assert Judgement.objects.count() == 1
    services.run(user=ran.users["analyst"])
    assert pair_of(a, b) is not None  # an unsure pair comes back to the queue


def test_a_run_merges_alone_only_with_evidence_beside_the_name_and_never_across_a_different(collection, settings):
    """auto_accept on: 김정은 ~ Kim Jong-un (same birth year) may merge; a pair judged different
    stays apart, and nothing joins Kim Jong Il to Kim Jong Un."""
    import dataclasses

    from kirok.linkage.settings import current

    reviewer, analyst = collection.users["reviewer"], collection.users["analyst"]
    p = collection.person
    services.judge(p("nkdb:P-1"), p("ohchr:P-9"), "different", reason="another birth place", user=reviewer)
    run = services.run(user=analyst, settings=dataclasses.replace(current(), auto_accept=0.5))
    assert run.auto_merged >= 1 and Merge.objects.filter(run=run).count() == run.auto_merged
    ids = services.cluster_ids(user=analyst)
    assert ids[p("nkdb:P-1").pk] != ids[p("ohchr:P-9").pk]
    assert ids[p("nkdb:P-2").pk] not in {ids[p(e).pk] for e in ("nkdb:P-1", "tjwg:P-7", "kinu:P-3", "ohchr:P-9")}
    for merge in Merge.objects.filter(run=run):
        pair = Candidate.objects.filter(run=run, left=merge.left, right=merge.right).first()
        if pair is not None:
            assert pair.status == Candidate.AUTO
            assert any(pair.fields[f]["weight"] > 0 for f in ("birth_year", "origin", "places", "units"))


def test_judgements_merges_and_undos_are_in_the_ledger_and_tampering_is_caught(ran):
    """Each decision is an entry of the tamper-evident log; an undo is an entry of its own, so the
    merge's entry still verifies after it; a reason edited in the database fails ``verify``."""
    from kirok.ledger.models import Entry
    from kirok.ledger.verification import verify

    reviewer = ran.users["reviewer"]
    a, b, d = ran.person("nkdb:P-1"), ran.person("tjwg:P-7"), ran.person("ohchr:P-9")
    same = services.judge(a, b, "same", reason="same detention, same birth year", user=reviewer)
    apart = services.judge(a, d, "different", reason="another birth place", user=reviewer)
    merge = Merge.objects.get(judgement=same)
    services.undo_merge(merge, reason="a namesake after all", user=reviewer)
    logged = set(Entry.objects.filter(kind__in=("judgement", "merge", "merge-undo")).values_list("kind", "subject"))
    assert logged == {("judgement", f"judgement:{same.pk}"), ("judgement", f"judgement:{apart.pk}"),
                      ("merge", f"merge:{merge.pk}"), ("merge-undo", f"merge-undo:{merge.pk}")}
    report = verify()
    assert report.ok, report.problem

    services.judge(ran.person("nkdb:P-4"), ran.person("kinu:P-5"), "unsure", reason="need the interview", user=reviewer,
                   pair=pair_of(ran.person("nkdb:P-4"), ran.person("kinu:P-5")))
    services.run(user=ran.users["analyst"])  # replaces the open pairs, the unsure one's too
    report = verify()
    assert report.ok, report.problem

    Judgement.objects.filter(pk=apart.pk).update(reason="edited afterwards")
    report = verify()
    assert not report.ok and f"judgement:{apart.pk}" in str(report.problem)


def test_merges_a_run_makes_alone_are_in_the_ledger(collection):
    import dataclasses

    from kirok.ledger.models import Entry
    from kirok.ledger.verification import verify
    from kirok.linkage.settings import current

    run = services.run(user=collection.users["analyst"], settings=dataclasses.replace(current(), auto_accept=0.5))
    made = {f"merge:{pk}" for pk in Merge.objects.filter(run=run).values_list("pk", flat=True)}
    assert made and made == set(Entry.objects.filter(kind="merge").values_list("subject", flat=True))
    report = verify()
    assert report.ok, report.problem
