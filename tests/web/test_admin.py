"""The administration keeps history and consent as they were written: versions and changesets are
shown and never added, changed or deleted there (not even by a superuser), and a source's consent
entries are added, never edited or deleted — a change of consent is a new entry, and a withdrawal
is left to ``kirok consent withdraw``, which purges as it records it."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from kirok.records.models import Changeset, Consent, Source, Version

from .helpers import member, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def steward(world, client):
    return sign_in(client, member("admin-steward", "data_steward"))


def _source(world):
    north, _south = world
    return Source.objects.get(external_id=north.ext("source"))


@pytest.mark.parametrize("model", [Version, Changeset])
def test_history_is_read_only_in_the_admin_even_for_a_superuser(world, steward, model):
    superuser = get_user_model()(username="root", is_staff=True, is_superuser=True, is_active=True)
    model_admin = admin.site._registry[model]
    for user in (steward, superuser):
        request = RequestFactory().get("/admin/")
        request.user = user
        assert model_admin.has_view_permission(request)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


def test_a_changeset_cannot_be_added_or_edited_through_the_admin_pages(world, steward, client):
    label = Changeset._meta.model_name
    assert client.get(f"/admin/records/{label}/add/").status_code == 403
    changeset = Changeset.objects.order_by("pk").first()
    page = client.get(f"/admin/records/{label}/{changeset.pk}/change/")
    assert page.status_code == 200
    assert b'name="reason"' not in page.content  # shown, not offered as a field
    edited = {"reason": "rewritten", "actor": "x", "kind": "edit"}
    response = client.post(f"/admin/records/{label}/{changeset.pk}/change/", edited)
    assert response.status_code == 403
    changeset.refresh_from_db()
    assert changeset.reason != "rewritten"


def test_a_version_cannot_be_added_through_the_admin(world, steward, client):
    before = Version.objects.count()
    assert client.get("/admin/records/version/add/").status_code == 403
    assert client.post("/admin/records/version/add/", {"record_type": "person", "action": "create"}).status_code == 403
    assert Version.objects.count() == before


def _change_form_data(page) -> dict:
    """The source change form as the browser would post it back, consent inline included."""
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if not isinstance(v, (list, dict))}
    data.update({"extra": "{}", "translations": "{}"})
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        prefix = formset.prefix
        existing = str(formset.initial_form_count())
        data.update({
            f"{prefix}-TOTAL_FORMS": existing, f"{prefix}-INITIAL_FORMS": existing,
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
        })
        for i, sub in enumerate(formset.initial_forms):
            data[f"{prefix}-{i}-id"] = str(sub.instance.pk)
            data[f"{prefix}-{i}-{formset.fk.name}"] = str(sub.instance.source_id)
    return data


def test_existing_consent_is_shown_but_not_editable_and_a_change_is_a_new_entry(world, steward, client):
    source = _source(world)
    given = source.consents.get()
    page = client.get(f"/admin/records/source/{source.pk}/change/")
    assert page.status_code == 200
    consent_inline = next(i for i in page.context["inline_admin_formsets"] if i.formset.model is Consent)
    assert not consent_inline.formset.can_delete
    assert not consent_inline.has_change_permission and consent_inline.has_add_permission
    prefix = consent_inline.formset.prefix
    body = page.content.decode()
    assert f'name="{prefix}-0-scopes"' not in body and f'name="{prefix}-0-DELETE"' not in body
    assert f'name="{prefix}-__prefix__-scopes"' in body  # the empty form for a new entry
    assert f'name="{prefix}-__prefix__-withdrawn"' not in body

    data = _change_form_data(page)
    # An attempt to rewrite the consent given, and to delete it, posted by hand:
    data.update({f"{prefix}-0-scopes": '["public_anonymised"]', f"{prefix}-0-withdrawn": "on", f"{prefix}-0-DELETE": "on"})
    # and a narrower consent, as a new entry (a ticked "withdrawn" is not taken: withdrawal purges,
    # so it goes through `kirok consent withdraw`):
    data.update({
        f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-1-id": "", f"{prefix}-1-source": str(source.pk),
        f"{prefix}-1-scopes": '["internal"]', f"{prefix}-1-withdrawn": "on", f"{prefix}-1-given_on": "2025-01-02",
        f"{prefix}-1-obtained_by": "", f"{prefix}-1-method": "written", f"{prefix}-1-note": "narrowed by letter",
    })
    response = client.post(f"/admin/records/source/{source.pk}/change/", data)
    assert response.status_code == 302, [i.formset.errors for i in response.context["inline_admin_formsets"]]
    entries = list(source.consents.order_by("id"))
    assert len(entries) == 2
    assert entries[0].pk == given.pk and entries[0].scopes == given.scopes and not entries[0].withdrawn
    assert entries[1].scopes == ["internal"] and entries[1].note == "narrowed by letter"
    assert not entries[1].withdrawn and source.current_consent == entries[1]
