from django.shortcuts import render

from kirok.records.services import has_demo_data, workspace_counts


def landing(request):
    """The first page a newcomer sees: what is in this workspace and where to go next."""
    return render(request, "web/landing.html", {"counts": workspace_counts(), "demo": has_demo_data()})
