"""The admin shows evidence items and custody, and changes nothing.

Items and custody events are written once, by the services (intake, derivation, verification);
the admin offers no add, change or delete, not even to a superuser. It shows the register, not
the bytes: opening a blob goes through ``services.open_item``, which records the access.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kirok.evidence.models import CustodyEvent, Item


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
class ItemAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("original_name", "sha256", "size", "media_type", "origin_kind", "operation", "received_at")
    list_filter = ("origin_kind", "method", "operation", "media_type")
    search_fields = ("sha256", "uid", "original_name", "origin", "collector")
    date_hierarchy = "received_at"
    inlines = [DerivativeInline, CustodyInline]
    actions = None


@admin.register(CustodyEvent)
class CustodyEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("at", "action", "item", "actor", "reason")
    list_filter = ("action",)
    search_fields = ("item__sha256", "item__original_name", "actor", "reason", "digest")
    date_hierarchy = "at"
    list_select_related = ("item",)
    actions = None
