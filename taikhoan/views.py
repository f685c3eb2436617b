from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from chibo.permissions import roles_of
from chibo.selectors import organization_roots, user_roles
from dangvien import link_selectors
from dangvien import selectors as member_selectors
from dangvien.models import LinkState


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
    }
    return render(request, "taikhoan/home.html", context)


@login_required
def profile(request):
    return render(request, "taikhoan/profile.html", {"assignments": user_roles(request.user)})
