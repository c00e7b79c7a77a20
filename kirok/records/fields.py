"""Model fields for Kirok's value types.

``UncertainDateField`` is one attribute backed by three columns (``<name>_from``, ``<name>_to``,
``<name>_type``): the interval makes sorting and overlap filters plain indexed SQL, the type keeps
the ESF date type. ``TermField``/``TermsField`` are foreign keys to vocabulary terms that know
which micro-thesaurus they draw from, so validation, forms and importers need no second list.
``Holds`` asks SQL whether a JSON list holds a code; ``Among`` asks whether a value is one of a list
sent as one parameter.
"""

from __future__ import annotations

import json

from django.db import NotSupportedError, models

from kirok.types.dates import DATE_TYPES, UncertainDate


class _UncertainDateDescriptor:
    def __init__(self, field: "UncertainDateField"):
        self.field = field

    def __get__(self, instance, owner):
        if instance is None:
            return self
        name = self.field.name
        return UncertainDate.from_columns(
            getattr(instance, f"{name}_from"), getattr(instance, f"{name}_to"), getattr(instance, f"{name}_type")
        )

    def __set__(self, instance, value):
        parsed = UncertainDate.parse(value)
        name = self.field.name
        setattr(instance, f"{name}_from", parsed.earliest)
        setattr(instance, f"{name}_to", parsed.latest)
        setattr(instance, f"{name}_type", parsed.type if parsed.is_known else "")


class UncertainDateField:
    """A virtual field: adds the three concrete columns and a descriptor to the model."""

    def __init__(self, verbose_name: str = "", db_index: bool = True):
        self.verbose_name = verbose_name
        self.db_index = db_index

    def contribute_to_class(self, cls, name):
        self.name = name
        self.model = cls
        label = self.verbose_name or name.replace("_", " ")
        cls.add_to_class(f"{name}_from", models.DateField(f"{label} (earliest)", null=True, blank=True, db_index=self.db_index))
        cls.add_to_class(f"{name}_to", models.DateField(f"{label} (latest)", null=True, blank=True))
        cls.add_to_class(
            f"{name}_type",
            models.CharField(f"{label} (date type)", max_length=24, blank=True, default="", choices=[(t, t) for t in DATE_TYPES]),
        )
        setattr(cls, name, _UncertainDateDescriptor(self))
        uncertain = list(getattr(cls._meta, "uncertain_date_names", ()))
        uncertain.append(name)
        cls._meta.uncertain_date_names = tuple(uncertain)


class _VocabularyBound:
    """A relation to ``records.Term`` limited to one vocabulary, which migrations remember by key."""

    def __init__(self, vocabulary: str, *args, **kwargs):
        self.vocabulary = vocabulary
        kwargs.setdefault("to", "records.Term")
        kwargs.setdefault("blank", True)
        kwargs.setdefault("related_name", "+")
        kwargs["limit_choices_to"] = {"vocabulary__key": vocabulary}
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("limit_choices_to", None)
        kwargs.pop("to", None)
        return name, path, [self.vocabulary, *args], kwargs


class TermField(_VocabularyBound, models.ForeignKey):
    """A term from one vocabulary (micro-thesaurus), named by its key."""

    def __init__(self, vocabulary: str, *args, **kwargs):
        kwargs.setdefault("on_delete", models.PROTECT)
        kwargs.setdefault("null", True)
        super().__init__(vocabulary, *args, **kwargs)


class TermsField(_VocabularyBound, models.ManyToManyField):
    """Several terms from one vocabulary."""


class Holds(models.Lookup):
    """``field__holds="un"``: the JSON list in ``field`` has the string as an element.

    Django's ``contains`` on a JSON field is not available on SQLite, and ``has_key`` there asks
    for object keys; SQL that tests membership lets a filter over a million rows (the consent
    gate's "sources whose consent lists this scope") stay a subquery instead of a list of ids
    carried from Python, which PostgreSQL's driver caps at 65,535 parameters.
    """

    lookup_name = "holds"

    def _parts(self, compiler, connection) -> tuple[str, list]:
        lhs, params = self.process_lhs(compiler, connection)
        return lhs, [*params, str(self.rhs)]

    def as_sqlite(self, compiler, connection):
        lhs, params = self._parts(compiler, connection)
        return f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = %s)", params

    def as_postgresql(self, compiler, connection):
        lhs, params = self._parts(compiler, connection)
        return f"({lhs})::jsonb ? %s", params

    def as_sql(self, compiler, connection):
        raise NotSupportedError(f"the holds lookup is written for SQLite and PostgreSQL, not {connection.vendor}")



class Among(models.Lookup):
    """``field__among=[...]``: the value is one of a list sent as one parameter (an array on
    PostgreSQL, a JSON list on SQLite), not as ``IN (%s, %s, …)``.

    Why: a few hundred keys asked at once (the sources behind a case's links, the anchors of its
    reaches) cost more to send, parse and plan as hundreds of parameters than to find — measured
    on the case matrix's 500 sources: 6.5 ms against 3.2 ms on PostgreSQL under load — and a
    single parameter is never near the drivers' caps on parameters (65,535 on PostgreSQL).
    """

    lookup_name = "among"
    prepare_rhs = False  # the list is sent whole; its values are keys or codes already

    # Pass a set: Django resolves a list or tuple value element by element (as if each could be
    # an expression), which for thousands of keys costs more than the query.

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, json.dumps(list(self.rhs))]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]

    def as_sql(self, compiler, connection):
        raise NotSupportedError(f"the among lookup is written for SQLite and PostgreSQL, not {connection.vendor}")


models.Field.register_lookup(Among)  # pk__among=[…], record_id__among=[…]: on every field but relations
