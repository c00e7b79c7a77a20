"""The admin: a steward's view of the records in their compartments, with edits and deletions kept
in the history. Protected fields show empty (their values are sealed) and seal what is typed
into them; versions show their snapshot revealed or masked for the user, never a ciphertext."""

import orjson
from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kirok.protection import access
from kirok.protection.principal import Principal
from kirok.protection.reveal import Revealer
from kirok.records import history
from kirok.records.exchange import ROW
from kirok.records.models import (
    Act, BiographicDetail, ChainOfEvents, Changeset, Consent, CustomField, Event, Information,
    Intervention, Involvement, Organization, OrganizationName, Person, PersonName, Place, PlaceName,
    Source, SourceFile, Term, Version, Vocabulary,
)


class SealedFieldsForm(forms.ModelForm):
    """A sealed field shows empty and may stay empty: leaving it so keeps the sealed value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sealed = (self.instance.sealed or {}) if self.instance.pk else {}
        for name in [*sealed, *sealed.get(ROW, {}).get("names", ())]:
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].widget.attrs["placeholder"] = _("protected: type a new value to replace it")


class InCompartments:
    """Only records the signed-in user may see (kirok.protection.access)."""

    def get_queryset(self, request):
        return access.visible(super().get_queryset(request), Principal.of(request.user))


class RecordAdmin(InCompartments, admin.ModelAdmin):
    """Every admin change runs in a changeset, so it is versioned like any other edit."""

    form = SealedFieldsForm
    readonly_fields = ("uid", "created_at", "updated_at")
    search_fields = ("uid", "external_id")

    def changeform_view(self, request, *args, **kwargs):
        with history.changeset(user=request.user, reason="edit in admin", kind="edit"):
            return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        with history.changeset(user=request.user, reason="deleted in admin", kind="delete"):
            return super().delete_view(request, *args, **kwargs)

    def delete_queryset(self, request, queryset):
        with history.changeset(user=request.user, reason="deleted in admin", kind="delete"):
            for obj in queryset:
                obj.delete()


class PersonNameInline(admin.TabularInline):
    model = PersonName
    form = SealedFieldsForm
    extra = 1


class PlaceNameInline(admin.TabularInline):
    model = PlaceName
    extra = 0


class OrganizationNameInline(admin.TabularInline):
    model = OrganizationName
    extra = 0


class ConsentInline(admin.TabularInline):
    """Consent entries are added, never edited or deleted: a narrower or wider consent is a new
    entry, so what the witness agreed to, and when, stays on the record (the gate reads the latest
    entry). A withdrawal is a new entry too, but not one typed here: ``kirok consent withdraw``
    writes it together with the purge it requires, which a ticked box in a form would skip."""

    model = Consent
    extra = 0
    can_delete = False
    fields = ("scopes", "given_on", "obtained_by", "method", "note", "withdrawn")
    readonly_fields = ("withdrawn",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(RecordAdmin):
    inlines = [PersonNameInline]
    list_display = ("__str__", "sex", "birth_date_from", "external_id")
    search_fields = ("names__full_name", "external_id")
    autocomplete_fields = ("birth_place", "origin")


@admin.register(Place)
class PlaceAdmin(RecordAdmin):
    inlines = [PlaceNameInline]
    list_display = ("name_ko", "name_en", "kind", "iso_code", "status", "confidence")
    list_filter = ("kind", "status", "confidence")
    search_fields = ("name_ko", "name_rok", "name_en", "mr", "rr", "dprk", "names__name")


@admin.register(Organization)
class OrganizationAdmin(RecordAdmin):
    inlines = [OrganizationNameInline]
    list_display = ("name_ko", "name_en", "kind", "parent")
    search_fields = ("name_ko", "name_en", "names__name")


class SourceFileInline(admin.TabularInline):
    """The files a source came with: evidence items, shown, never edited here (the vault and its
    custody are the evidence app's; ``kirok evidence show`` gives an item's capture record)."""

    model = SourceFile
    extra = 0
    can_delete = False
    fields = readonly_fields = ("role", "language", "name", "item")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Source)
class SourceAdmin(RecordAdmin):
    inlines = [ConsentInline, SourceFileInline]
    list_display = ("title", "kind", "testimony_basis", "language")
    search_fields = ("title", "external_id")


@admin.register(Event)
class EventAdmin(RecordAdmin):
    list_display = ("title", "start_date_from", "start_date_type", "violation_status")
    search_fields = ("title", "description", "external_id")
    autocomplete_fields = ("places",)


@admin.register(Act)
class ActAdmin(RecordAdmin):
    list_display = ("event", "act_type", "victim", "start_date_from")
    autocomplete_fields = ("event", "victim", "place")


for model in (Involvement, Information, BiographicDetail, ChainOfEvents, Intervention):
    admin.site.register(model, RecordAdmin)


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("vocabulary", "code", "label_en", "label_ko", "retired")
    list_filter = ("vocabulary",)
    search_fields = ("code", "label_en", "label_ko")


admin.site.register(Vocabulary)
admin.site.register(CustomField)


class HistoryAdmin(admin.ModelAdmin):
    """History is written by changesets alone (``kirok.records.history``) and sealed into the
    ledger: the admin shows it, read-only, to anyone, superusers included, and never adds,
    changes or deletes a row of it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Changeset)
class ChangesetAdmin(HistoryAdmin):
    list_display = ("at", "actor", "kind", "reason")


@admin.register(Version)
class VersionAdmin(HistoryAdmin):
    list_display = ("record_type", "record_uid", "action", "changeset", "digest")
    list_filter = ("record_type", "action")
    exclude = ("data",)

    def get_queryset(self, request):
        return access.visible_versions(super().get_queryset(request), Principal.of(request.user))

    def get_readonly_fields(self, request, obj=None):
        principal = Principal.of(request.user)

        @admin.display(description=_("snapshot"))
        def snapshot(version):
            revealer = Revealer(principal, "admin: version")
            data = revealer.dict(version.record_type, version.data)
            revealer.flush()
            return format_html("<pre>{}</pre>", orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())

        return (snapshot,)
