"""The admin shows evidence items and custody, and changes nothing.

Items and custody events are written once, by the services (intake, derivation, verification);
the admin offers no add, change or delete, not even to a superuser. It shows the register, not
the bytes: opening a blob goes through ``services.open_item``, which records the access. It shows
only items whose source the user may see (compartments), and the embedded metadata, which is
protected, opened for roles that may see it (the read audited) and masked for others — never the
ciphertext.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kirok.evidence.models import CustodyEvent, Item
from kirok.evidence.protected import metadata_of, visible_items
from kirok.protection.principal import Principal


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InCompartments:
    """Only what hangs off sources the signed-in user may see."""

    item_path = ""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        visible = visible_items(Item.objects.all(), Principal.of(request.user)).values("pk")
        return queryset.filter(**{f"{self.item_path}pk__in" if self.item_path else "pk__in": visible})


class CustodyInline(ReadOnly, admin.TabularInline):
    model = CustodyEvent
    fields = ("at", "action", "actor", "reason", "details", "digest")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


class DerivativeInline(ReadOnly, admin.TabularInline):
    model = Item
    fk_name = "derived_from"
    verbose_name = _("derivative")
    verbose_name_plural = _("derivatives")
    fields = ("operation", "original_name", "sha256", "size", "received_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Item)
class ItemAdmin(InCompartments, ReadOnly, admin.ModelAdmin):
    exclude = ("metadata",)
    readonly_fields = ("embedded_metadata",)
    list_display = ("original_name", "sha256", "size", "media_type", "origin_kind", "operation", "received_at")
    list_filter = ("origin_kind", "method", "operation", "media_type")
    search_fields = ("sha256", "uid", "original_name", "origin", "collector")
    date_hierarchy = "received_at"
    inlines = [DerivativeInline, CustodyInline]
    actions = None

    @admin.display(description=_("embedded metadata"))
    def embedded_metadata(self, obj):
        import orjson

        viewer = getattr(obj, "viewer", None)
        if viewer is None:
            return "—"
        shown = metadata_of(obj, Principal.of(viewer), purpose="admin: evidence item")
        return orjson.dumps(shown, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).decode() if isinstance(shown, dict) else shown

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.viewer = request.user  # on this request's instance: the display above reveals for them
        return obj


@admin.register(CustodyEvent)
class CustodyEventAdmin(InCompartments, ReadOnly, admin.ModelAdmin):
    item_path = "item__"
    list_display = ("at", "action", "item", "actor", "reason")
    list_filter = ("action",)
    search_fields = ("item__sha256", "item__original_name", "actor", "reason", "digest")
    date_hierarchy = "at"
    list_select_related = ("item",)
    actions = None
