"""A small fictional workspace for the UPR: the shipped cycles, the synthetic demo set (200
fictional persons and their incidents, in compartment ``case``), and a user per role.

Every recommendation in these tests is synthetic and says so; the cycles' metadata are public
facts shipped with Kirok."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.compartment_world import case_compartment


@dataclass
class World:
    users: dict
    outsider: object


@pytest.fixture(autouse=True)
def workspace(isolated_workspace):
    return isolated_workspace


@pytest.fixture
def cycles(db):
    from kirok.upr.reference import load_cycles

    load_cycles()


@pytest.fixture
def world(reference, cycles) -> World:
    from kirok.records.demo import DemoSet, streams

    return World(*case_compartment(streams(DemoSet(200, seed=3)), "fictional demo set"))
