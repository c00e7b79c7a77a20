"""The ledger in the admin: to look at, never to edit (an edit here would be tampering; the
read-only mixin is the evidence admin's, which has the same rule)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kirok.evidence.admin import ReadOnly

from .models import Checkpoint, Entry, SigningKey


@admin.register(Entry)
class EntryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["index", "kind", "subject", "digest", "time"]
    list_filter = ["kind"]
    search_fields = ["subject", "digest"]


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["id", "tree_size", "root_hex", "time", "key", "stamped"]

    @admin.display(description=_("root hash"))
    def root_hex(self, obj):
        return bytes(obj.root).hex()

    @admin.display(boolean=True, description=_("RFC 3161 time-stamp"))
    def stamped(self, obj):
        return bool(obj.tsa_token)


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "created", "retired", "reason", "vkey"]

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-created")


