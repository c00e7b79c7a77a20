"""Two appenders at once on PostgreSQL: the head row's lock keeps the tree whole."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db import connection, transaction

from kirok.ledger import services, verifier
from kirok.ledger.models import Entry

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"],
                       reason="row locks between connections are PostgreSQL's; SQLite's single writer needs none"),
]


def _appender(name: str, rounds: int, start: threading.Barrier, errors: list) -> None:
    try:
        start.wait()
        for r in range(rounds):
            with transaction.atomic():
                services.append_many(("custody", f"custody:{name}-{r}-{i}", verifier._sha256(f"{name}-{r}-{i}".encode()).hexdigest())
                                     for i in range(5))
                time.sleep(0.01)  # hold the lock a while, so the other appender has to wait for it
    except Exception as exc:  # reported to the main thread
        errors.append(exc)
    finally:
        connection.close()


def test_two_concurrent_appenders_leave_one_whole_tree():
    start, errors = threading.Barrier(2), []
    threads = [threading.Thread(target=_appender, args=(name, 20, start, errors)) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    indexes = list(Entry.objects.order_by("index").values_list("index", flat=True))
    assert indexes == list(range(200))
    subjects = set(Entry.objects.values_list("subject", flat=True))
    assert len(subjects) == 200
    # each transaction's five entries are contiguous: nobody appended in between
    for name in ("a", "b"):
        for r in range(20):
            mine = [f"custody:{name}-{r}-{i}" for i in range(5)]
            got = sorted(Entry.objects.filter(subject__in=mine).values_list("index", flat=True))
            assert got == list(range(got[0], got[0] + 5))
    from kirok.ledger.models import Head, Node

    assert Node.objects.count() == 200 - bin(200).count("1")
    assert bytes(Head.objects.get().root) == verifier.root_of(
        verifier.leaf_hash(e.encoded()) for e in Entry.objects.order_by("index"))
