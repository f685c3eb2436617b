"""Two-factor login (TOTP from an authenticator app, plus one-time backup codes): who must use it,
and the middleware that holds a logged-in user at the code page until they have."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

SESSION_KEY = "taikhoan_2fa_required"


def roles_require(user) -> bool:
    """Whether the user's roles (anywhere) or staff status call for a second factor."""
    from chibo.permissions import roles_of

    roles = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    if not user.is_authenticated or not roles:
        return False
    if "admin" in roles and (user.is_staff or user.is_superuser):
        return True
    return bool(roles & set(roles_of(user)))


def required_for(user) -> bool:
    """Whether logging in takes a code: the roles call for it, or the user turned it on (a
    confirmed authenticator is always asked for, whatever the roles)."""
    from django_otp import user_has_device

    return user.is_authenticated and (user_has_device(user, confirmed=True) or roles_require(user))


@receiver(user_logged_in, dispatch_uid="taikhoan_2fa_required")
def _remember_requirement(sender, request, user, **kwargs):
    # Worked out once per login, so requests don't pay a query for it; a role given later takes
    # effect at the next login.
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = required_for(user)


# Pages a user who still owes a code may open: the code pages themselves, logging out, static
# files, and the public document verification. Not the health report: it opens to staff outside
# the monitors' networks and names internal hosts, so staff give their code first (a monitor has
# no session and is not asked).
_OPEN_PREFIXES = ("/static/", "/i18n/", "/van-ban/xac-minh/")


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open = None

    def open_paths(self):
        if self._open is None:
            self._open = {
                reverse(name)
                for name in ("taikhoan:login", "taikhoan:logout", "taikhoan:otp_verify", "taikhoan:otp_setup")
            }
        return self._open

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            required = request.session.get(SESSION_KEY)
            if required is None:
                required = request.session[SESSION_KEY] = required_for(user)
            path = request.path
            if required and path not in self.open_paths() and not path.startswith(_OPEN_PREFIXES):
                from django_otp import user_has_device

                if request.headers.get("Sec-Fetch-Dest") == "empty" or request.headers.get("HX-Request"):
                    # A page's background request (the notices badge): no page to send it to.
                    return HttpResponseForbidden()

                target = "taikhoan:otp_verify" if user_has_device(user) else "taikhoan:otp_setup"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def code_wait_seconds(user) -> int | None:
    """How long django-otp still refuses every code of the user's after wrong ones (1 s, then
    doubling, per device), or None when some device would check a code: a right code typed while
    all refuse is refused too, so the page says to wait rather than that the code is wrong."""
    import math

    from django.utils import timezone
    from django_otp import devices_for_user

    until = []
    for device in devices_for_user(user):
        allowed, data = device.verify_is_allowed()
        if allowed or not (data and data.get("locked_until")):
            return None  # this one checks the code: a refusal means the code is wrong
        until.append(data["locked_until"])
    if not until:
        return None
    return max(1, math.ceil((min(until) - timezone.now()).total_seconds()))
