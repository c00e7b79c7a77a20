"""Sign-in forms. Labels and help go through gettext; no field needs JavaScript."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """Django's form (it hands the request to authenticate(), which django-axes needs to count
    failures by address), with wording of Kirok's own and browser hints for password managers."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That user name and password do not match an active account. Both are case-sensitive. "
            "After repeated failures the account is locked for a while."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("User name")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].label = _("Password")
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=64,
        strip=True,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}),
    )


class EnrolForm(TokenForm):
    """Confirming a new authenticator: only the app's code, not a recovery code, is asked for."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        token = self.fields["token"]
        token.label = _("Code from the app")
        token.help_text = _("After adding the account to your app, type the 6-digit code it shows now.")
        token.widget.attrs["inputmode"] = "numeric"
