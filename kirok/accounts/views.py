"""Sign-in pages: password, TOTP step, TOTP enrolment, recovery codes, password change, sign-out.

The views stay thin: account logic is in services, and which step a session owes next is decided
by ``middleware.SignInStepsMiddleware``, so every view here only does its own step and then sends
the browser on to where it was going; the middleware redirects it to the next owed step, if any.
"""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from kirok.accounts import services
from kirok.accounts.forms import EnrolForm, SignInForm, TokenForm
from kirok.accounts.roles import role_book, role_of
from kirok.protection.pages import PUBLIC, SIGNED_IN, declare


def _next_url(request) -> str:
    """Where to go after this step: the `next` parameter when it stays on this site, else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


def _pass_second_factor(request, device) -> None:
    """Mark the session verified and give it a new key: the privilege changed, so a key seen
    before this point (say, on a shared machine) must not carry the verified session."""
    otp_login(request, device)
    request.session.cycle_key()


def _code_step(view):
    """A sign-in step after the password: signed-in sessions only, never cached, the code kept
    out of error reports."""
    return declare(SIGNED_IN)(sensitive_post_parameters("token")(never_cache(login_required(require_http_methods(["GET", "POST"])(view)))))


@declare(PUBLIC)
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request):
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user())  # rotates the session key against fixation
        return redirect(_next_url(request))
    return render(request, "accounts/sign_in.html", {"form": form, "next": _next_url(request)})


@_code_step
def verify(request):
    user = request.user
    if user.is_verified() or not services.needs_second_factor(user):
        return redirect(_next_url(request))
    if not services.has_two_factor(user):
        return redirect(f"{reverse('accounts:enrol')}?{request.GET.urlencode()}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.verify_second_factor(user, form.cleaned_data["token"])
        if device is not None:
            _pass_second_factor(request, device)
            return redirect(_next_url(request))
        # Counted like a wrong password, so guessing codes ends in the same lockout.
        user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return locked_out(request)
        form.add_error("token", _("That code was not accepted. Codes change every 30 seconds and each works once; "
                                  "check the clock of your phone, or use a recovery code."))
        _add_wait(form, user)
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


def _add_wait(form, user) -> None:
    seconds = services.seconds_until_next_try(user)
    if seconds > 0:
        form.add_error("token", ngettext("Wait %(seconds)d second before the next try.",
                                         "Wait %(seconds)d seconds before the next try.", seconds) % {"seconds": seconds})


def _qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code: drawn by the server, no script, no image request."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff",
                                                 title=_("QR code for your authenticator app"))


@_code_step
def enrol(request):
    user = request.user
    if services.has_two_factor(user):
        messages.info(request, _("Your account has an authenticator already. Ask an administrator to reset it if you lost it."))
        return redirect(_next_url(request))
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = services.confirm_totp_enrolment(user, form.cleaned_data["token"])
        if confirmed is not None:
            device, codes = confirmed
            _pass_second_factor(request, device)
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error("token", _("That code does not match. Check that the app shows the Kirok account you just added "
                                  "and that your phone's clock is right, then type the code it shows now."))
        _add_wait(form, user)
    device = services.pending_totp_device(user) if request.method == "POST" else None
    if device is None:
        device = services.start_totp_enrolment(user)
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_svg": _qr_svg(device.config_url),
        "otpauth_uri": device.config_url,
        "secret": base64.b32encode(device.bin_key).decode("ascii").rstrip("="),
    }
    return render(request, "accounts/enrol.html", context)


@declare(SIGNED_IN)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """New recovery codes replace the old ones; shown once."""
    if request.method == "POST":
        codes = services.new_recovery_codes(request.user)
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("accounts:account")})
    return render(request, "accounts/recovery_codes_new.html")


@declare(SIGNED_IN)
@never_cache
@login_required
def account(request):
    role = role_of(request.user)
    capabilities = [c for code, c in role_book().capabilities.items() if role is not None and role.can(code)]
    return render(request, "accounts/account.html", {
        "role": role, "capabilities": capabilities, "two_factor": services.has_two_factor(request.user),
    })


@declare(PUBLIC)
@never_cache
@require_http_methods(["GET", "POST"])
def sign_out(request):
    """Signing out is a POST (with the CSRF token), so a link on another site cannot do it."""
    if request.method == "POST":
        logout(request)
        messages.info(request, _("You are signed out."))
        return redirect("accounts:sign-in")
    return render(request, "accounts/sign_out.html")


@method_decorator(never_cache, name="dispatch")
@declare(SIGNED_IN)
class PasswordChange(PasswordChangeView):
    template_name = "accounts/password_change.html"

    def get_success_url(self) -> str:
        return _next_url(self.request)

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session signed in under a new key
        services.password_changed(self.request.user)
        messages.success(self.request, _("Your password is changed."))
        return response


def locked_out(request, original_response=None, credentials=None, *args, **kwargs) -> HttpResponse:
    """django-axes calls this when a user name or an address has too many failed sign-ins."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
