"""Nothing is lost: every change is a version with who, when and why; deletion can be undone."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from kirok.records import history
from kirok.records.models import Person, PersonName, Version
from kirok.records.services import delete_record, restore_record

from .helpers import plain, plain_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def documenter(settings):
    """A documenter in the workspace's default compartment, where new records go."""
    from kirok.accounts.services import create_user
    from kirok.protection.compartments import add_member, default_compartment
    from kirok.protection.principal import Principal

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user, _ = create_user("documenter", "documenter")
    add_member(default_compartment(), user, principal=Principal.console("test"))
    return user


def _person(user, name="김철"):
    with history.changeset(user=user, reason="interview 12"):
        person = Person.objects.create(remarks="fictional")
        PersonName.objects.create(person=person, full_name=name, script="Hang")
    return person


def test_a_write_outside_a_changeset_is_refused(db):
    with pytest.raises(history.NoChangeset):
        Person.objects.create()
    assert not Person.all_objects.exists()


def test_creating_a_person_with_names_makes_one_version_of_the_whole_record(documenter):
    person = _person(documenter)
    (version,) = history.versions(person)
    assert version.action == "create"
    assert version.changeset.user == documenter and version.changeset.reason == "interview 12"
    assert plain_version(version)["names"] == [{"full_name": "김철", "script": "Hang"}]
    assert "김철" not in repr(version.data)  # sealed: no plaintext in the history
    assert version.digest == history.digest(version.data)


def test_an_edit_makes_a_version_and_the_diff_names_the_fields(documenter):
    person = _person(documenter)
    with history.changeset(user=documenter, reason="name corrected by witness"):
        name = person.names.get()
        name.full_name = "김철수"
        name.save()
        person.occupation = "miner"
        person.save()
    first, second = history.versions(person)
    assert second.action == "update"
    assert history.diff(plain_version(first), plain_version(second)) == {
        "names": ([{"full_name": "김철", "script": "Hang"}], [{"full_name": "김철수", "script": "Hang"}]),
        "occupation": (None, "miner"),
    }


def test_saving_without_a_change_adds_no_version(documenter):
    person = _person(documenter)
    with history.changeset(user=documenter, reason="opened and saved"):
        person.save()
    assert history.versions(person).count() == 1


def test_deletion_is_a_tombstone_that_can_be_undone(documenter):
    person = _person(documenter)
    with pytest.raises(ValueError):
        delete_record(person, user=documenter, reason=" ")
    delete_record(person, user=documenter, reason="duplicate entry")
    assert not Person.objects.filter(pk=person.pk).exists()
    assert Person.all_objects.get(pk=person.pk).names.count() == 1
    restore_record(Person.all_objects.get(pk=person.pk), user=documenter, reason="not a duplicate after all")
    assert Person.objects.filter(pk=person.pk).exists()
    assert [v.action for v in history.versions(person)] == ["create", "delete", "restore"]


def test_revert_brings_back_an_old_version_as_a_new_one(reference, documenter):
    person = _person(documenter)
    with history.changeset(user=documenter, reason="wrong edit"):
        name = person.names.get()
        name.full_name = "박영수"
        name.save()
    first = history.versions(person).first()
    history.revert(person, first, user=documenter, reason="undo wrong edit")
    assert plain(person)["names"][0]["full_name"] == "김철"
    assert [v.action for v in history.versions(person)] == ["create", "update", "update"]
    assert Version.objects.order_by("-id").first().changeset.kind == "revert"


def test_field_provenance_says_which_change_set_each_value(documenter):
    person = _person(documenter)
    other = get_user_model().objects.create_user("analyst")
    with history.changeset(user=other, reason="from second testimony"):
        person.occupation = "farmer"
        person.save()
    provenance = history.field_provenance(person)
    assert provenance["names"].changeset.user == documenter
    assert provenance["occupation"].changeset.user == other
    assert provenance["occupation"].changeset.reason == "from second testimony"


def test_a_bulk_delete_tombstones_instead_of_erasing(documenter):
    person = _person(documenter)
    with pytest.raises(history.NoChangeset):
        Person.objects.all().delete()
    with history.changeset(user=documenter, reason="bulk clean-up"):
        Person.objects.filter(pk=person.pk).delete()
    assert Person.all_objects.get(pk=person.pk).deleted_at is not None
    assert [v.action for v in history.versions(person)] == ["create", "delete"]
