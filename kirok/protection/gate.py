"""The consent gate: the one way records leave the workspace.

Every exit path — ``kirok export`` (Kirok and Uwazi formats) now; bundles, the API, reports and
public pages as they come — opens a ``Gate`` for one disclosure and passes each record through
it. The gate

1. lets through only records the principal may see (compartments, ``kirok.protection.access``);
2. drops records whose source's consent does not cover the recipient scope (a record with a
   ``source`` follows that source's latest consent entry; a source follows its own; information
   follows its source; a withdrawn consent bars every scope, even internal use);
3. reveals protected values only where the scope allows it and the principal may see them, and
   masks them otherwise (``kirok.protection.reveal``);
4. replaces persons by their keyed pseudonyms and leaves out identifying free text, as the scope
   says (kirok/data/protection.yaml);
5. records what left (``Disclosure``: who, when, scope, destination, which records, the SHA-256
   of what was sent) and tells the ledger (``signals.disclosed``).
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from kirok.records import exchange
from kirok.records.importing.writer import Conversions, bulk_insert
from kirok.records.models import Consent

from . import policy, signals
from .access import visible
from .models import DisclosedRecord, Disclosure
from .principal import Principal
from .pseudonyms import pseudonym
from .reveal import Revealer

PERSON_REFS: dict[str, tuple[str, ...]] = {}


def _person_refs(record_type: str) -> tuple[str, ...]:
    found = PERSON_REFS.get(record_type)
    if found is None:
        found = PERSON_REFS[record_type] = tuple(
            f.name for f in exchange.type_spec(record_type).fields if f.kind in ("ref", "refs") and f.target == "person"
        )
    return found


def manifest_digest(files: dict[str, str]) -> str:
    """SHA-256 of the ``sha256sum`` listing of the files sent (name order): anyone holding the
    files can recompute it with standard tools."""
    listing = "".join(f"{digest}  {name}\n" for name, digest in sorted(files.items()))
    return hashlib.sha256(listing.encode()).hexdigest()


class Gate:
    """One disclosure: open it, pass querysets and records through it, close it."""

    def __init__(self, *, principal: Principal, scope: str, destination: str, purpose: str = ""):
        principal.require("export")
        self.principal = principal
        self.scope = policy.scope(scope)
        self.destination = destination
        self.purpose = purpose or f"disclosure ({scope})"
        self.revealer = Revealer(principal, self.purpose, reveal=self.scope.reveal)
        self.released: dict[str, list[str]] = {}
        self._dropped: dict[str, int] = {}
        self._uncounted: dict[str, tuple] = {}
        self._consent: tuple | None = None

    # --- which records ---------------------------------------------------------------------

    def _sources(self) -> tuple:
        """(sources whose latest consent lists the scope, sources whose latest consent is a
        withdrawal), as subqueries of source ids: a workspace may hold hundreds of thousands of
        sources, more than a query may carry as parameters."""
        if self._consent is None:
            current = Consent.objects.filter(pk__in=Consent.objects.values("source_id").annotate(last=Max("pk")).values("last"))
            self._consent = (current.filter(withdrawn=False, scopes__holds=self.scope.code).values("source_id"),
                             current.filter(withdrawn=True).values("source_id"))
        return self._consent

    def queryset(self, record_type: str, queryset):
        """The records of ``queryset`` that may leave; the ones consent holds back are counted."""
        reachable = visible(queryset, self.principal)
        covered, withdrawn = self._sources()
        requires = self.scope.requires_consent
        if record_type == "source":
            leaves = Q(pk__in=covered) if requires else ~Q(pk__in=withdrawn)
        elif requires:
            leaves = Q(source_id__isnull=True) | Q(source_id__in=covered)
        else:
            leaves = ~Q(source_id__in=withdrawn)
        self._uncounted[record_type] = (reachable, leaves)
        return reachable.filter(leaves)

    @property
    def dropped(self) -> dict[str, int]:
        """How many records of each type consent held back (the last queryset of a type counts).

        Counted when first read, in one scan per type: a preview that is never recorded as a
        disclosure (a submission draft over a million acts) does not pay for counting what it
        leaves out."""
        for record_type, (reachable, leaves) in self._uncounted.items():
            counts = reachable.aggregate(total=Count("pk"), leaving=Count("pk", filter=leaves))
            held_back = counts["total"] - counts["leaving"]
            if held_back:
                self._dropped[record_type] = held_back
            else:
                self._dropped.pop(record_type, None)
        self._uncounted.clear()
        return self._dropped

    # --- each record -----------------------------------------------------------------------

    def release(self, record_type: str, data: dict) -> dict:
        """The form of one record that may leave under this scope (``data`` is not changed)."""
        out = self.revealer.dict(record_type, data)
        self.released.setdefault(record_type, []).append(data["id"])
        scope = self.scope
        if scope.pseudonymise:
            if record_type == "person":
                out["id"] = pseudonym(data["id"])
            for name in _person_refs(record_type):
                value = out.get(name)
                if value:
                    out[name] = [pseudonym(v) for v in value] if isinstance(value, list) else pseudonym(value)
        if scope.drop:
            for name in scope.drop & out.keys():
                del out[name]
        return out

    def person_label(self, data: dict) -> str:
        """How a person is named in what leaves: the first name when revealed, else the pseudonym."""
        if self.scope.pseudonymise or not self.revealer.allowed:
            return pseudonym(data["id"])
        names = self.revealer.dict("person", data).get("names") or []
        return str(names[0].get("full_name", "")) if names else ""

    # --- the record of what left -------------------------------------------------------------

    def close(self, files: dict[str, str]) -> Disclosure:
        """Record the disclosure (``files``: name -> SHA-256 of what was sent) and audit the
        protected values revealed in it."""
        conv = Conversions()
        with transaction.atomic():
            disclosure = Disclosure.objects.create(
                at=timezone.now(), user=self.principal.user, actor=self.principal.actor, scope=self.scope.code,
                destination=self.destination[:500], purpose=self.purpose[:200],
                counts={t: len(uids) for t, uids in self.released.items()}, dropped=self.dropped,
                files=files, digest=manifest_digest(files),
            )
            bulk_insert(
                DisclosedRecord._meta.db_table, ["disclosure_id", "record_type", "record_uid"],
                [(disclosure.pk, t, conv.uid(uid)) for t, uids in self.released.items() for uid in uids],
            )
            self.revealer.flush(disclosure=disclosure)
            signals.disclosed.send(Disclosure, disclosure=disclosure)
        return disclosure

