"""The authorisation matrix over every URL: each pattern of kirok.config.urls (found by walking
the resolver: the pages, the API at /api/, the administration, and whatever is added later) is
opened by an anonymous visitor and by a user of every role, with records inside and outside the
role's compartments, and fails on

* a pattern that declares no access rule (``kirok.protection.pages``);
* an allowed access that should be denied: anonymous visitors past a non-public page, a role
  without the page's capability (or without ``admin_site``/the model permission), a record outside
  the compartments answered otherwise than a record that does not exist (a 403 there, or any other
  difference, tells a guesser the record exists);
* a canary planted in a protected field, or any ciphertext, in a response to a role that may not
  see it — with DEBUG off and on, and in the log (captured at DEBUG);
* a POST without the CSRF token that is not refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest
from django.test import Client
from PIL import Image

from kirok.accounts.backends import admin_capability
from kirok.accounts.roles import get_role, user_can
from kirok.evidence import services as evidence
from kirok.evidence.models import Item
from kirok.protection.pages import ADMIN_SITE, KINDS, PUBLIC
from kirok.protection.rotation import each_envelope
from kirok.records.models import Act, Event, Information, Person, Source, Version
from tests.accounts.helpers import sign_in_as

from .conftest import ROLES
from .matrix import NOWHERE_PK, NOWHERE_UUID, Route, fill, lands_on, regex_choice, routes

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
SERIAL = {"north": "CANARY-N-SERIAL-7731", "south": "CANARY-S-SERIAL-7732"}
RECORDS = {"source": (Source, "source"), "person": (Person, "witness"), "event": (Event, "event"),
           "act": (Act, "act"), "information": (Information, "info")}
UID_KWARGS = ("uid", "ref")


@dataclass
class Reader:
    name: str
    client: Client
    user: object | None

    def can(self, capability: str) -> bool:
        return self.user is not None and user_can(self.user, capability)


class Matrix:
    """The world, a signed-in client per role, what each may not see, and the violations found."""

    def __init__(self, world, tmp_path):
        self.world = world
        self.items = {side: self._item(world, side, tmp_path) for side in ("north", "south")}
        self.uids = {t: {side: str(model.all_objects.get(external_id=getattr(world, side).ext(what)).uid)
                         for side in ("north", "south")} for t, (model, what) in RECORDS.items()}
        self.uids["evidence"] = {side: str(item.uid) for side, item in self.items.items()}
        self.readers = [Reader(ANONYMOUS, Client(raise_request_exception=False), None)]
        for role in ROLES:
            client = Client(raise_request_exception=False)
            self.readers.append(Reader(role, client, sign_in_as(client, world.users[role])))
        ciphertexts: list[str] = []
        each_envelope(lambda envelope, where: ciphertexts.append(envelope["ct"]) if "ct" in envelope else None)
        self.never = [*world.south.canaries.values(), SERIAL["south"], *(c for c in ciphertexts if len(c) > 20)]
        self.protected = [*world.north.canaries.values(), SERIAL["north"]]
        self.violations: list[str] = []

    @staticmethod
    def _item(world, side: str, tmp_path):
        path = tmp_path / f"{side}.jpg"
        exif = Image.Exif()
        exif[0x010E] = SERIAL[side]  # ImageDescription: what a phone writes, e.g. its owner
        Image.new("RGB", (8, 8), (1, 2, 3) if side == "north" else (3, 2, 1)).save(path, format="JPEG", exif=exif)
        source = Source.objects.get(external_id=getattr(world, side).ext("source"))
        return evidence.add_file(path, source=source, reason="fictional").item

    # --- checks -------------------------------------------------------------------------------

    def fail(self, route: Route, reader: Reader, path: str, what: str) -> None:
        self.violations.append(f"{route} as {reader.name}: GET {path}: {what}")

    def body(self, response) -> str:
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return content.decode("utf-8", "replace") + " " + response.get("Location", "")

    def leaks(self, route: Route, reader: Reader, path: str, text: str) -> None:
        for value in self.never:
            if value in text:
                self.fail(route, reader, path, f"shows {value[:40]!r}, which no one may see here")
        if not reader.can("see_protected"):
            for value in self.protected:
                if value in text:
                    self.fail(route, reader, path, f"shows the protected value {value!r} to a role without see_protected")

    def get(self, route: Route, reader: Reader, path: str, *, may_fail: bool = False):
        response = reader.client.get(path)
        if response.status_code >= 500 and not may_fail:
            self.fail(route, reader, path, f"{response.status_code}: the page fails")
        self.leaks(route, reader, path, self.body(response))
        return response

    def gatekeeping(self, route: Route, reader: Reader, path: str, response) -> None:
        """What the rule says about this reader, whatever the record."""
        status, rule = response.status_code, route.rule
        if rule == PUBLIC:
            return
        if reader.user is None:
            to_sign_in = status in (301, 302) and response["Location"].startswith(("/accounts/sign-in/", "/admin/login/"))
            if not (to_sign_in or status in (401, 403, 404)):
                self.fail(route, reader, path, f"anonymous got {status}, expected a redirect to sign in, 401, 403 or 404")
            return
        if rule == ADMIN_SITE:
            role = get_role(reader.name)
            if status < 300 and not role.admin_site:
                self.fail(route, reader, path, f"{status}: the role does not open the administration")
            elif status < 300 and route.model_admin is not None:
                model = route.model_admin.model._meta
                wanted = ["add"] if route.name.endswith("_add") else ["delete"] if route.name.endswith("_delete") else ["view", "change"]
                if not any(_admin_allows(role, model, a) for a in wanted):
                    self.fail(route, reader, path, f"{status}: roles.yaml grants no {'/'.join(wanted)} on {model.label}")
        elif rule not in KINDS and not reader.can(rule) and status < 400:
            self.fail(route, reader, path, f"{status}: the role lacks {rule}")

    def same_as_nowhere(self, route: Route, reader: Reader, outside: str, nowhere: str, a, b) -> None:
        if a.status_code < 300:
            self.fail(route, reader, outside, f"{a.status_code}: a record outside the compartments is served")
        where_a = a.get("Location", "").replace(outside, "")
        where_b = b.get("Location", "").replace(nowhere, "")
        if (a.status_code, where_a) != (b.status_code, where_b):
            self.fail(route, reader, outside, f"answers {a.status_code} {where_a} where a record that does not exist "
                                              f"gets {b.status_code} {where_b}: that tells a guesser it exists")


def _admin_allows(role, model, action: str) -> bool:
    capability = admin_capability(model.app_label, model.model_name, action)
    return capability is not None and role.can(capability)


@pytest.fixture
def matrix(world, tmp_path):
    return Matrix(world, tmp_path)


UPR_KWARGS = {"number": "4", "paragraph": "126.1", "fmt": "pdf"}


def values_for(route: Route, matrix: Matrix, side: str, kind: str | None) -> dict[str, str] | None:
    """Kwargs for the route: a record of ``kind`` on ``side`` (north/south) or, side "nowhere", ids
    no row has. None when the route names a kind of record this world has none of."""
    values = {}
    for name in route.kwargs:
        if name in UID_KWARGS:
            if side == "nowhere":
                values[name] = NOWHERE_UUID
            elif kind in matrix.uids:
                values[name] = matrix.uids[kind][side]
            else:
                return None
        elif name == "object_id" and route.model_admin is not None:
            pk = admin_object(route.model_admin.model, matrix, side)
            if pk is None:
                return None
            values[name] = pk
        elif name in ("pk", "id", "content_type_id", "object_id"):
            values[name] = NOWHERE_PK if side == "nowhere" else "1"
        elif regex_choice(route, name):
            values[name] = regex_choice(route, name)
        elif name == "url":
            values[name] = "no-such-page/"
        elif name in UPR_KWARGS:  # a review, a recommendation in it, an export format: shared, not compartmented
            values[name] = UPR_KWARGS[name]
        else:
            raise LookupError(f"{route}: the matrix does not know how to fill <{name}>; teach tests/protection/test_matrix.py")
    return values


def admin_object(model, matrix: Matrix, side: str) -> str | None:
    """A primary key of ``model`` on ``side``: records, their versions, items and their custody
    follow the compartments; anything else is one existing row (both sides alike)."""
    if side == "nowhere":
        return NOWHERE_PK
    world = matrix.world
    for kind, (record_model, what) in RECORDS.items():
        if model is record_model:
            return str(record_model.all_objects.get(external_id=getattr(world, side).ext(what)).pk)
    if model is Version:
        return str(Version.objects.filter(record_uid=matrix.uids["person"][side]).values_list("pk", flat=True).first())
    if model is Item:
        return str(matrix.items[side].pk)
    if model._meta.label == "evidence.CustodyEvent":
        return str(matrix.items[side].custody.first().pk)
    if side == "south":
        return None
    first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return str(first) if first is not None else NOWHERE_PK


def kind_of(route: Route, matrix: Matrix) -> str | None:
    """Which record a route with a Kirok id names: read from its name (web:person-history,
    api:source, web:evidence); else the one the data steward can open."""
    token = route.name.rpartition(":")[2].split("-")[0]
    if token in matrix.uids:
        return token
    steward = next(r for r in matrix.readers if r.name == "data_steward")
    for kind in matrix.uids:
        values = values_for(route, matrix, "north", kind)
        if values and steward.client.get(fill(route, values)).status_code < 400:
            return kind
    return None


def check_route(route: Route, matrix: Matrix) -> None:
    if route.rule is None:
        matrix.violations.append(f"{route}: declares no access rule (kirok.protection.pages says how)")
        return
    names = set(route.kwargs)
    by_uid = bool(names & set(UID_KWARGS))
    by_object = by_uid or ("object_id" in names and route.model_admin is not None)
    kind = kind_of(route, matrix) if by_uid else None
    opened = False
    for reader in matrix.readers:
        north = values_for(route, matrix, "north", kind)
        if north is None:
            continue
        path = fill(route, north)
        if not lands_on(path, route):
            matrix.violations.append(f"{route}: the URL built for it, {path}, resolves elsewhere")
            return
        response = matrix.get(route, reader, path)
        matrix.gatekeeping(route, reader, path, response)
        opened |= reader.user is not None and response.status_code < 400
        if not by_object:
            continue
        south, nowhere = values_for(route, matrix, "south", kind), values_for(route, matrix, "nowhere", kind)
        if south is None or south == north:
            continue
        outside, missing = fill(route, south), fill(route, nowhere)
        matrix.same_as_nowhere(route, reader, outside, missing, matrix.get(route, reader, outside), matrix.get(route, reader, missing))
    if by_uid and kind is None:
        return  # a kind of record the world does not hold: checked against ids that do not exist only
    if by_object and not opened and route.rule != PUBLIC and route.model_admin is None:
        matrix.violations.append(f"{route}: no role opened it with a record inside its compartments; "
                                 "the matrix may be building the wrong URL for it")


def test_every_url_declares_a_rule_and_obeys_it_for_every_role(matrix, caplog):
    caplog.set_level(logging.DEBUG)
    found = routes()
    assert len(found) > 100  # the pages, the API and the administration
    for route in found:
        check_route(route, matrix)
    for value in [*matrix.never, *matrix.protected]:
        assert value not in caplog.text, f"{value[:40]!r} reached the log"
    assert not matrix.violations, "\n".join(matrix.violations)


@pytest.mark.parametrize("debug", [False, True])
def test_error_pages_leak_nothing_with_debug_off_and_on(matrix, settings, debug, caplog):
    """404s for records outside the compartments, and a view that fails half-way (500), as every
    role: Django's technical pages (DEBUG on) show settings, local variables and the request."""
    from unittest import mock

    caplog.set_level(logging.DEBUG)
    settings.DEBUG = debug
    uid = matrix.uids["person"]
    for reader in matrix.readers:
        reader.client.raise_request_exception = False
        for path in (f"/persons/{uid['south']}/", f"/api/records/persons/{uid['south']}", f"/evidence/{matrix.uids['evidence']['south']}/"):
            route = Route(path, "error page", None, PUBLIC)
            assert matrix.get(route, reader, path).status_code in (302, 401, 403, 404)
        with mock.patch("kirok.web.display.Reading.rows", side_effect=RuntimeError("half-way")):
            path = f"/persons/{uid['north']}/"
            response = matrix.get(Route(path, "failing page", None, PUBLIC), reader, path, may_fail=True)
            assert response.status_code in (302, 403, 500)
    for value in [*matrix.never, *matrix.protected]:
        assert value not in caplog.text, f"{value[:40]!r} reached the log"
    assert not matrix.violations, "\n".join(matrix.violations)


def test_a_post_without_the_csrf_token_is_refused_everywhere(matrix):
    """Every URL, as a signed-in data steward (the role that may write most): refused (403), or
    not taking a POST at all (405); nothing written either way."""
    client = Client(enforce_csrf_checks=True)
    sign_in_as(client, matrix.world.users["data_steward"])
    versions = Version.objects.count()
    refused = []
    for route in routes():
        values = values_for(route, matrix, "north", kind_of(route, matrix) if set(route.kwargs) & set(UID_KWARGS) else None)
        if values is None:
            continue
        path = fill(route, values)
        status = client.post(path, {"purpose": "csrf probe", "reason": "csrf probe"}).status_code
        if status not in (403, 405):  # 405: the URL takes no POST at all
            refused.append(f"{route}: POST {path} without a CSRF token answered {status}")
    assert not refused, "\n".join(refused)
    assert Version.objects.count() == versions


@pytest.mark.urls("tests.protection.leaky_urls")
def test_the_matrix_finds_what_it_is_meant_to_find(matrix):
    """Pages built to be wrong, mounted beside Kirok's: each mistake must be reported."""
    for route in routes():
        if route.route.startswith("leaky/"):
            check_route(route, matrix)
    found = "\n".join(matrix.violations)
    assert "leaky/undeclared/ (leaky-undeclared): declares no access rule" in found
    assert "leaky/unchecked/ (leaky-unchecked) as anonymous" in found and "as reviewer" in found
    assert "the protected value" in found and "which no one may see here" in found
    assert "leaky/persons/<uuid:uid>/ (leaky-person) as analyst" in found and "tells a guesser it exists" in found
