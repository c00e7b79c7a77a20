"""Signals other apps listen to, so that the evidence layer need not know them.

``custody_recorded`` is sent with ``sender=CustodyEvent`` and ``event=<the CustodyEvent>`` inside
the transaction that saves the event, after it has its id and digest. The ledger appends the
event's digest as a leaf there: the event and its ledger entry are committed together or not at
all. A receiver that raises undoes the event.
"""

from django.dispatch import Signal

custody_recorded = Signal()
