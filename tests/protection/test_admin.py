"""The admin obeys compartments, never shows a ciphertext, and keeps sealed values it is not given."""

from __future__ import annotations

import pytest

from kirok.protection.models import Compartment
from kirok.protection.compartments import add_member
from kirok.protection.principal import Principal
from kirok.records.models import Person, Version
from tests.accounts.helpers import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def steward(world, client):
    user = signed_in(client, "data_steward", username="admin-steward")
    add_member(Compartment.objects.get(key="north"), user, principal=Principal.console("test"))
    return user


def test_the_person_list_holds_only_the_compartments_records(world, steward, client):
    body = client.get("/admin/records/person/").content.decode()
    north = Person.objects.get(external_id=world.north.ext("witness"))
    south = Person.objects.get(external_id=world.south.ext("witness"))
    assert str(north.uid) in body and str(south.uid) not in body
    assert client.get(f"/admin/records/person/{south.pk}/change/").status_code in (302, 404)


def test_a_version_page_shows_the_snapshot_revealed_never_the_ciphertext(world, steward, client):
    north = Person.objects.get(external_id=world.north.ext("witness"))
    version = Version.objects.get(record_uid=north.uid)
    body = client.get(f"/admin/records/version/{version.pk}/change/").content.decode()
    assert world.north.canaries["witness_name"] in body
    assert version.data["birth_date"]["$protected"]["ct"] not in body
    south = Version.objects.get(record_uid=Person.objects.get(external_id=world.south.ext("witness")).uid)
    assert client.get(f"/admin/records/version/{south.pk}/change/").status_code in (302, 404)


def test_saving_a_person_in_the_admin_keeps_the_sealed_names(world, steward, client):
    north = Person.objects.get(external_id=world.north.ext("victim"))
    page = client.get(f"/admin/records/person/{north.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    inline = page.context["inline_admin_formsets"][0].formset
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if not isinstance(v, (list, dict))}
    data.update({"remarks": "edited in the admin", "sex": "", "counting_unit": "", "extra": "{}", "translations": "{}"})
    prefix = inline.prefix
    data.update({f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "1", f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    name = north.names.get()
    data.update({f"{prefix}-0-id": str(name.pk), f"{prefix}-0-person": str(north.pk), f"{prefix}-0-full_name": "",
                 f"{prefix}-0-script": "Hang", f"{prefix}-0-family_name": "", f"{prefix}-0-given_name": ""})
    response = client.post(f"/admin/records/person/{north.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    north.refresh_from_db()
    assert north.remarks == "edited in the admin"
    from kirok.records.services import get_record

    shown = get_record("person", str(north.uid), user=Principal.console("t"), purpose="t")
    assert shown["names"][0]["full_name"] == world.north.canaries["victim_name"]
