"""The record: HURIDOCS Events Standard Formats (ESF) as Django models.

Entities (Event, Person, Source, Organization, Place) and the ESF link formats (Act,
Involvement, Information, Biographic details, Chain of events, Intervention) are all versioned
``Record`` subclasses. Names and consent are child rows owned by their record and versioned with
it. Vocabularies are data (``kirok/data/vocabularies``) loaded into ``Vocabulary``/``Term``.
"""

from .base import Record
from .custom_fields import CustomField
from .events import Act, ChainOfEvents, Event, Information, Intervention, Involvement
from .history import Changeset, Version
from .organizations import Organization, OrganizationName
from .persons import BiographicDetail, Person, PersonName
from .places import Place, PlaceName
from .sources import Consent, Source, SourceFile
from .vocabulary import Term, Vocabulary

__all__ = [
    "Act", "BiographicDetail", "ChainOfEvents", "Changeset", "Consent", "CustomField", "Event",
    "Information", "Intervention", "Involvement", "Organization", "OrganizationName", "Person",
    "PersonName", "Place", "PlaceName", "Record", "Source", "SourceFile", "Term", "Version", "Vocabulary",
]
