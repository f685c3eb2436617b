from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from chibo.models import MeetingStatus
from chibo.permissions import roles_of
from chibo.selectors import meetings_visible, organization_roots, user_roles
from common.forms import run_service
from common.http import next_url
from dangvien import link_selectors
from dangvien import selectors as member_selectors
from dangvien.models import LinkState

from . import services
from .forms import NotificationPreferenceForm
from .services import notification_read
from .twofactor import code_wait_seconds


@login_required
def home(request):
    """Landing page: the user's roles, their organisations, and where to go next."""
    user = request.user
    visible = member_selectors.member_visible(user)
    context = {
        "assignments": user_roles(user),
        "roles": roles_of(user),
        "roots": organization_roots(user)[:20],
        "member_count": visible.order_by()[:10001].count(),
        "covered_count": visible.filter(covered_213=True).order_by()[:10001].count(),
        # The two inboxes: letters waiting for the residence side, seen from either side.
        "to_receive": link_selectors.links_residence(user, LinkState.LETTER_ISSUED).order_by()[:1001].count(),
        "awaiting_ack": link_selectors.links_workplace(user, LinkState.LETTER_ISSUED).order_by()[:1001].count(),
        "upcoming": list(
            meetings_visible(user)
            .filter(status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now())
            .order_by("starts_at")[:5]
        ),
        "unread": user.notifications.filter(read_at__isnull=True).order_by()[:100].count(),
    }
    return render(request, "taikhoan/home.html", context)


@login_required
def profile(request):
    from .twofactor import roles_require

    context = {
        "assignments": user_roles(request.user),
        "two_factor": _has_confirmed(request.user),
        "two_factor_required": roles_require(request.user),
    }
    return render(request, "taikhoan/profile.html", context)


@login_required
def notifications(request):
    """The user's in-app messages, newest first; "unread" shows only those not read yet."""
    unread_only = request.GET.get("chua-doc") == "1"
    items = request.user.notifications.all()
    if unread_only:
        items = items.filter(read_at__isnull=True)
    return render(
        request,
        "taikhoan/notifications.html",
        {"notifications": items[:100], "unread_only": unread_only},
    )


@login_required
def notifications_unread(request):
    """{"unread": n} for the badge in the header, fetched after the page loads (so pages keep
    their query counts); capped at 99 as the badge shows."""
    n = request.user.notifications.filter(read_at__isnull=True).order_by()[:100].count()
    return JsonResponse({"unread": n})


@login_required
@require_POST
def notifications_read_all(request):
    services.notifications_read_all(actor=request.user)
    messages.success(request, _("All notices marked read."))
    return redirect("taikhoan:notifications")


@login_required
def notification_settings(request):
    """How the user wants notices: e-mail per kind, how often, SMS and Zalo where configured."""
    from nhacviec.channels import channel

    from .models import NotificationPreference

    pref = NotificationPreference.objects.filter(user=request.user).first() or NotificationPreference.default_for(
        request.user
    )
    configured = {code: channel(code).configured() for code in ("sms", "zalo")}
    initial = {"email_kinds": pref.email_kinds, "digest": pref.digest, "sms": pref.sms, "zalo": pref.zalo}
    form = NotificationPreferenceForm(request.POST or None, initial=initial, channels_configured=configured)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            form,
            lambda: services.notification_preference_save(
                actor=request.user,
                email_kinds=data["email_kinds"],
                digest=data["digest"],
                sms=bool(data.get("sms")),
                zalo=bool(data.get("zalo")),
            ),
        )
        if saved is not None:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("taikhoan:notification_settings")
    return render(
        request,
        "taikhoan/notification_settings.html",
        {"form": form, "has_email": bool(request.user.email), "has_phone": bool(request.user.phone)},
    )


@login_required
def notification_open(request, pk):
    """Mark the message read and go where it points."""
    notification = get_object_or_404(request.user.notifications, pk=pk)
    notification_read(actor=request.user, notification=notification)
    target = notification.url if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None) else ""
    return redirect(target or "taikhoan:notifications")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, saved through the audited service."""

    template_name = "taikhoan/password_change.html"
    success_url = reverse_lazy("taikhoan:password_change_done")

    def form_valid(self, form):
        from django.contrib.auth import update_session_auth_hash
        from django.http import HttpResponseRedirect

        from .services import password_change

        password_change(actor=self.request.user, form=form)
        update_session_auth_hash(self.request, form.user)
        return HttpResponseRedirect(self.get_success_url())


def _next_url(request):
    return next_url(request, reverse("taikhoan:home"))


@login_required
def otp_verify(request):
    """After the password: the code from the authenticator app (or a backup code)."""
    from django_otp import login as otp_login
    from django_otp import match_token, user_has_device

    from .forms import TokenForm

    if request.user.is_verified():
        return redirect(_next_url(request))
    if not user_has_device(request.user):
        return redirect(f"{reverse('taikhoan:otp_setup')}?{urlencode({'next': _next_url(request)})}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = code_wait_seconds(request.user)  # before the code is tried: it is not even checked
        device = match_token(request.user, "".join(form.cleaned_data["token"].split()))
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        if wait:
            form.add_error(
                "token",
                ngettext(
                    "Too many wrong codes: wait %(seconds)d second, then try again.",
                    "Too many wrong codes: wait %(seconds)d seconds, then try again.",
                    wait,
                )
                % {"seconds": wait},
            )
        else:
            form.add_error("token", _("The code is wrong or has expired. Wait for the next one and try again."))
    return render(request, "taikhoan/otp_verify.html", {"form": form, "next": _next_url(request)})


@login_required
def otp_setup(request):
    """Set up the authenticator app: scan the QR code (or type the key), then confirm with a code.
    The backup codes are shown once, on the page that confirms it."""
    import base64

    import segno
    from django_otp import login as otp_login

    from .forms import TokenForm

    if not request.user.is_verified() and _has_confirmed(request.user):
        # Replacing an authenticator needs the current one first.
        return redirect(f"{reverse('taikhoan:otp_verify')}?{urlencode({'next': request.get_full_path()})}")
    device = services.totp_setup_start(actor=request.user)
    form = TokenForm(request.POST or None)
    form.fields["token"].help_text = ""  # no backup codes yet
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        codes = run_service(form, lambda: services.totp_setup_confirm(actor=request.user, device=device, token=token))
        if codes is not None:
            otp_login(request, device)
            return render(request, "taikhoan/otp_codes.html", {"codes": codes, "next": _next_url(request)})
    key = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "taikhoan/otp_setup.html",
        {
            "form": form,
            "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=4),
            "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
            "next": _next_url(request),
        },
    )


def _has_confirmed(user) -> bool:
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)
