"""Protection's tables: compartments and who is in them, protected fields a steward added, the
blind index, and the audit of what was read, disclosed, opened by break-glass and purged."""

from .audit import BreakGlass, Disclosure, DisclosedRecord, ProtectedRead, Purge
from .blind import BlindToken
from .compartments import Compartment, Membership, RecordCompartment
from .fields import ProtectedField

__all__ = [
    "BlindToken", "BreakGlass", "Compartment", "Disclosure", "DisclosedRecord", "Membership",
    "ProtectedField", "ProtectedRead", "Purge", "RecordCompartment",
]
