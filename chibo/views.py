from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import selectors


@login_required
def org_tree(request):
    return render(request, "chibo/org_tree.html", {"roots": selectors.organization_roots(request.user)})


@login_required
def org_detail(request, pk):
    org = selectors.organization_get(request.user, pk)
    return render(
        request,
        "chibo/org_detail.html",
        {
            "org": org,
            "children": selectors.organization_children(request.user, org),
            "ancestors": selectors.organization_ancestors_visible(request.user, org),
            "signatories": org.signatories.filter(is_active=True),
            "groups": org.party_groups.select_related("leader"),
        },
    )


@login_required
def org_children(request, pk):
    org = selectors.organization_get(request.user, pk)
    return render(request, "chibo/_org_children.html", {"children": selectors.organization_children(request.user, org)})


@login_required
def commune_search(request):
    results = selectors.commune_search(request.GET.get("q", ""))
    return render(request, "chibo/_commune_results.html", {"results": results, "target": request.GET.get("target", "")})
