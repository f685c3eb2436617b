from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from chibo.models import MeetingStatus
from chibo.permissions import roles_of
from chibo.selectors import meetings_visible, organization_roots, user_roles
from dangvien import link_selectors
from dangvien import selectors as member_selectors
from dangvien.models import LinkState

from .services import notification_read


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
    return render(request, "taikhoan/profile.html", {"assignments": user_roles(request.user)})


@login_required
def notifications(request):
    """The user's in-app messages, newest first."""
    return render(request, "taikhoan/notifications.html", {"notifications": request.user.notifications.all()[:100]})


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
