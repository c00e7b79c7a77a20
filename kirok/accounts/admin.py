"""Accounts in the administration: role per user, and the administrator's resets."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django_otp.plugins.otp_totp import admin as otp_totp_admin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kirok.accounts import services
from kirok.accounts.models import Account
from kirok.accounts.roles import all_roles


class AccountForm(forms.ModelForm):
    role = forms.ChoiceField(label=gettext_lazy("role"), choices=())

    class Meta:
        model = Account
        fields = ("user", "role", "must_change_password")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.code, f"{r.label} ({r.code})") for r in all_roles()]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    form = AccountForm
    list_display = ("user", "role", "must_change_password", "updated")
    list_filter = ("role",)
    search_fields = ("user__username",)
    actions = ("reset_two_factor", "unlock")

    def has_change_permission(self, request, obj=None) -> bool:
        """Nobody changes their own account here, so an administrator cannot hand themselves
        access to the data; another administrator (or the server's `kirok user set-role`) must."""
        if obj is not None and obj.user_id == request.user.pk:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.user_id == request.user.pk:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        """Roles change through the service, which also sets Django's staff and superuser flags."""
        services.set_role(obj.user, obj.role)
        Account.objects.filter(pk=obj.pk).update(must_change_password=obj.must_change_password)

    @admin.action(description=gettext_lazy("Reset two-factor sign-in of the selected accounts"))
    def reset_two_factor(self, request, queryset):
        for account in queryset.select_related("user"):
            services.reset_two_factor(account.user)
        self.message_user(request, _("Two-factor sign-in reset for %(count)d accounts.") % {"count": queryset.count()},
                          messages.SUCCESS)

    @admin.action(description=gettext_lazy("Unlock the selected accounts"))
    def unlock(self, request, queryset):
        for account in queryset.select_related("user"):
            services.unlock(account.user.get_username())
        self.message_user(request, _("Unlocked %(count)d accounts.") % {"count": queryset.count()}, messages.SUCCESS)


KEY_FIELDS = ("key", "qrcode_link")
KEY_VIEWS = ("otp_totp_totpdevice_config", "otp_totp_totpdevice_qrcode")


class TOTPDeviceAdmin(otp_totp_admin.TOTPDeviceAdmin):
    """django-otp's page, without the key: django-otp shows it as text and as a QR code, and whoever
    sees it holds that account's second factor — an administrator could copy a steward's
    authenticator unnoticed. Kirok shows neither, and has no URL that would (resetting is the way)."""

    def get_list_display(self, request):
        return [name for name in super().get_list_display(request) if name not in KEY_FIELDS]

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            fields = [name for name in options["fields"] if name not in KEY_FIELDS]
            if fields:
                fieldsets.append((title, {**options, "fields": fields}))
        return fieldsets

    def get_urls(self):
        return [url for url in super().get_urls() if getattr(url, "name", None) not in KEY_VIEWS]


admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, TOTPDeviceAdmin)
