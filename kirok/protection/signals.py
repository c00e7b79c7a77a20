"""Signals the ledger (and anything else) listens to, so that protection need not know them.

Each is sent inside the transaction that records the event, after its audit row is saved: a
receiver that appends to the ledger commits with it, and one that raises undoes it.

``protected_read``  sender=ProtectedRead, read=<ProtectedRead>: who revealed which protected
                    fields of which records, when, and why.
``disclosed``       sender=Disclosure, disclosure=<Disclosure>: what left through the consent
                    gate, to which scope and destination, with the SHA-256 of what was sent.
``break_glass``     sender=BreakGlass, grant=<BreakGlass>: access outside one's compartments,
                    with the reason and the time limit.
``purged``          sender=Purge, purge=<Purge>: a consent withdrawal carried out: what was
                    destroyed, the reason, and the commitments (hashes) kept.
``consent_changed`` sender=Consent, consent=<Consent>: a consent entry given or withdrawn one by
                    one (the admin, a service, a purge). Entries that arrive in an import are
                    covered by the import's changeset entry instead.
"""

from django.dispatch import Signal

protected_read = Signal()
disclosed = Signal()
break_glass = Signal()
purged = Signal()
consent_changed = Signal()
