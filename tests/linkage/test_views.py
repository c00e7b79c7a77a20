"""The review pages: a reviewer works the queue in the browser; others are kept out."""

from __future__ import annotations

from kirok.linkage import services
from kirok.linkage.models import Judgement
from tests.accounts.helpers import signed_in


def test_the_queue_shows_pairs_best_first_and_a_pair_side_by_side_with_reasons(collection, client):
    from kirok.protection.compartments import add_member
    from kirok.protection.models import Compartment
    from kirok.protection.principal import Principal

    services.run(user=collection.users["analyst"])
    user = signed_in(client, "reviewer", "web-reviewer")
    add_member(Compartment.objects.get(key="case"), user, principal=Principal.console("test"))
    page = client.get("/linkage/")
    assert page.status_code == 200
    first = services.queue(user=user)[0]
    assert f"/linkage/pairs/{first.pk}/" in page.content.decode()
    pair = client.get(f"/linkage/pairs/{first.pk}/").content.decode()
    assert "Why it scored so" in pair and "●●●" in pair  # reasons shown, names masked for a reviewer
    done = client.post(f"/linkage/pairs/{first.pk}/", {"verdict": "same", "reason": "same camp and year"})
    assert done.status_code == 302
    judgement = Judgement.objects.get()
    assert judgement.actor == "web-reviewer" and judgement.candidate_id == first.pk
    refused = client.post(f"/linkage/pairs/{first.pk}/", {"verdict": "same", "reason": ""})
    assert refused.status_code == 400
    cluster = client.get(f"/linkage/clusters/{judgement.left.uid}/")
    assert cluster.status_code == 200 and "same camp and year" in cluster.content.decode()


def test_pages_are_denied_by_default(collection, client):
    services.run(user=collection.users["analyst"])
    assert client.get("/linkage/").status_code == 302  # anonymous: sign in first
    signed_in(client, "analyst", "web-analyst")
    assert client.get("/linkage/").status_code == 403  # analysts run, reviewers judge
    stranger = signed_in(client, "reviewer", "web-stranger")  # not in the compartment
    assert stranger and client.get("/linkage/").status_code == 200
    from kirok.linkage.models import Candidate

    pk = Candidate.objects.first().pk
    assert client.get(f"/linkage/pairs/{pk}/").status_code == 404
    assert client.get(f"/linkage/clusters/{collection.person('nkdb:P-1').uid}/").status_code == 404
