"""The admin: compartments and their members for stewards; the protection audit, read-only."""

from django.contrib import admin

from .models import BreakGlass, Compartment, Disclosure, Membership, ProtectedField, ProtectedRead, Purge


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    readonly_fields = ("granted_by", "granted_at")


@admin.register(Compartment)
class CompartmentAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "is_default", "created_at")
    inlines = [MembershipInline]

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            if not instance.granted_by:
                instance.granted_by = request.user.get_username()
            instance.save()
        for gone in formset.deleted_objects:
            gone.delete()


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProtectedRead)
class ProtectedReadAdmin(ReadOnly):
    list_display = ("at", "actor", "purpose", "record_type", "count")
    list_filter = ("record_type",)


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnly):
    list_display = ("at", "actor", "scope", "destination", "digest")
    list_filter = ("scope",)


@admin.register(BreakGlass)
class BreakGlassAdmin(ReadOnly):
    list_display = ("opened_at", "user", "record_type", "record_uid", "expires_at", "reason")


@admin.register(Purge)
class PurgeAdmin(ReadOnly):
    list_display = ("at", "actor", "source_uid", "reason")


@admin.register(ProtectedField)
class ProtectedFieldAdmin(ReadOnly):
    list_display = ("record_type", "path", "reason", "actor", "added_at")
