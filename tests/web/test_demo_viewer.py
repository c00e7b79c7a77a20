"""`make demo` gives a newcomer an account that sees the demo records: compartments deny by
default, so without it the workspace pages of a fresh demo would be empty for everyone."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from kirok.accounts.roles import user_can
from kirok.protection.models import Membership
from kirok.records.models import Event, Person

from tests.accounts.helpers import sign_in_as

pytestmark = pytest.mark.django_db

PASSWORD = re.compile(r"One-time password \(shown only now\): (\S+)")


def demo(*extra: str) -> str:
    out = StringIO()
    call_command("demo_data", "--size", "40", "--seed", "3", "--no-progress", *extra, stdout=out)
    return out.getvalue()


def test_the_demo_viewer_signs_in_and_sees_the_demo_records_masked(reference, client):
    out = demo("--viewer", "demo")
    password = PASSWORD.search(out).group(1)
    user = get_user_model().objects.get(username="demo")
    assert user.check_password(password)
    assert user_can(user, "read_records") and not user_can(user, "see_protected") and not user_can(user, "write_records")
    assert list(Membership.objects.filter(user=user).values_list("compartment__is_default", flat=True)) == [True]

    sign_in_as(client, user)  # past the sign-in steps: the one-time password replaced
    dashboard = client.get("/dashboard/")
    totals = {str(label): n for label, n in dashboard.context["figures"].totals}
    assert totals["persons"] == Person.objects.count() > 0 and totals["events"] == Event.objects.count() > 0
    event = Event.objects.order_by("pk").first()
    assert client.get(f"/events/{event.uid}/").status_code == 200
    assert event.title in client.get("/events/").content.decode()


def test_running_the_demo_again_gives_the_viewer_a_fresh_password_and_no_second_membership(reference):
    first = PASSWORD.search(demo("--viewer", "demo")).group(1)
    again = demo("--viewer", "demo")
    second = PASSWORD.search(again).group(1)
    user = get_user_model().objects.get(username="demo")
    assert "Reset reviewer 'demo'" in again and first != second
    assert user.check_password(second) and not user.check_password(first)
    assert Membership.objects.filter(user=user).count() == 1


def test_without_viewer_no_account_is_made_and_viewer_needs_an_import(reference, tmp_path):
    demo()
    assert not get_user_model().objects.filter(username="demo").exists()
    with pytest.raises(CommandError, match="--viewer"):
        call_command("demo_data", "--size", "5", "--output", str(tmp_path / "out"), "--viewer", "demo", "--no-progress")
