"""Custody is append-only, digested, and announced to the ledger inside its transaction."""

from __future__ import annotations

import hashlib

import orjson
import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from kirok.evidence import services
from kirok.evidence.errors import AppendOnly, EvidenceError
from kirok.evidence.models import CustodyEvent, Item
from kirok.evidence.signals import custody_recorded

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(vocabularies, tmp_path):
    path = tmp_path / "document.pdf"
    path.write_bytes(b"%PDF-1.7 synthetic internal document")
    return services.add_file(path, reason="received").item


def test_every_action_is_recorded_with_who_when_why(item):
    user = get_user_model().objects.create_user("steward", password="x" * 16)
    for action, details in (("transferred", {"to": "prosecutor's office (fictional)"}), ("exported", {"bundle": "b-1"}),
                            ("disposed", {"rule": "consent withdrawn"})):
        services.record_custody(item, action, user=user, reason=f"{action} for test", details=details)
    events = list(services.custody_of(item))
    assert [e.action for e in events] == ["received", "transferred", "exported", "disposed"]
    assert {e.actor for e in events[1:]} == {"steward"} and events[1].user == user
    assert events[1].details == {"to": "prosecutor's office (fictional)"}
    assert events[0].at <= events[1].at <= events[3].at
    with pytest.raises(EvidenceError, match="'lost' is not a term of custody_actions"):
        services.record_custody(item, "lost", reason="?")


def test_the_digest_is_the_sha256_of_the_canonical_form_and_survives_the_database(item):
    event = services.record_custody(item, "transferred", actor="steward", reason="hand-over", details={"to": "UN", "n": 3, "목적": "조사"})
    stored = CustodyEvent.objects.get(pk=event.pk)
    canonical = {
        "id": str(stored.uid), "item": str(item.uid), "item_sha256": item.sha256, "action": "transferred",
        "at": stored.at.isoformat(timespec="microseconds"), "actor": "steward",
        "reason": "hand-over", "details": {"n": 3, "to": "UN", "목적": "조사"},
    }
    assert stored.canonical() == canonical
    expected = hashlib.sha256(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)).hexdigest()
    assert stored.digest == event.digest == stored.compute_digest() == expected


def test_a_stored_event_changed_behind_kirok_s_back_no_longer_matches_its_digest(item):
    event = services.record_custody(item, "accessed", actor="analyst", reason="review")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {CustodyEvent._meta.db_table} SET reason = %s WHERE id = %s", ["nothing to see", event.pk])
    tampered = CustodyEvent.objects.get(pk=event.pk)
    assert tampered.compute_digest() != tampered.digest


def test_custody_events_and_items_cannot_be_changed_or_deleted(item):
    event = services.custody_of(item).first()
    event.reason = "rewritten"
    with pytest.raises(AppendOnly, match="written once"):
        event.save()
    with pytest.raises(AppendOnly, match="cannot be deleted"):
        event.delete()
    with pytest.raises(AppendOnly):
        CustodyEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(AppendOnly):
        CustodyEvent.objects.all().delete()
    with pytest.raises(AppendOnly):
        CustodyEvent.objects.bulk_create([CustodyEvent(item=item, action="accessed", actor="x")])
    item.original_name = "renamed.pdf"
    with pytest.raises(AppendOnly):
        item.save()
    with pytest.raises(AppendOnly):
        Item.objects.all().delete()
    assert CustodyEvent.objects.get(pk=event.pk).reason == "received"
    assert Item.objects.get(pk=item.pk).original_name == "document.pdf"


def test_the_ledger_is_told_inside_the_transaction_and_can_veto(item):
    seen = []

    def ledger(sender, event, **kwargs):
        seen.append((sender, event.pk, event.digest, connection.in_atomic_block,
                     CustodyEvent.objects.filter(pk=event.pk).exists()))

    custody_recorded.connect(ledger)
    try:
        event = services.record_custody(item, "accessed", actor="analyst", reason="review")
    finally:
        custody_recorded.disconnect(ledger)
    assert seen == [(CustodyEvent, event.pk, event.compute_digest(), True, True)]

    def veto(sender, event, **kwargs):
        raise RuntimeError("ledger refused (simulated)")

    count = CustodyEvent.objects.count()
    custody_recorded.connect(veto)
    try:
        with pytest.raises(RuntimeError, match="ledger refused"), transaction.atomic():
            services.record_custody(item, "accessed", actor="analyst", reason="review")
    finally:
        custody_recorded.disconnect(veto)
    assert CustodyEvent.objects.count() == count


def test_opening_an_item_needs_a_reason_and_is_recorded(item):
    with pytest.raises(EvidenceError, match="say why item"):
        services.open_item(item, reason=" ")
    with services.open_item(item, actor="analyst", reason="check the letterhead") as stream:
        assert stream.read() == b"%PDF-1.7 synthetic internal document"
    last = services.custody_of(item).last()
    assert (last.action, last.actor, last.reason) == ("accessed", "analyst", "check the letterhead")


def test_the_admin_shows_but_never_changes(item, rf, admin_user):
    """Checked on the ModelAdmins themselves: the admin's sign-in (two-factor) is another app's concern."""
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = admin_user
    for model in (Item, CustodyEvent):
        model_admin = admin.site._registry[model]
        assert model_admin.has_view_permission(request)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request, item)
        assert not model_admin.has_delete_permission(request, item)
        assert model_admin.get_actions(request) == {}
    inlines = admin.site._registry[Item].get_inline_instances(request, item)
    assert len(inlines) == 2  # derivatives and custody, shown
    for inline in inlines:
        assert not inline.has_add_permission(request, item) and not inline.has_delete_permission(request, item)
