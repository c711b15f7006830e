from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_http_methods, require_safe

from coproduce.lib.spam import issue_form_token
from coproduce.pages.forms import ContactForm
from coproduce.pages.tasks import notify_enquiry
from coproduce.registry.models import Study, Theme
from coproduce.security import formlimits


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    themes = Theme.objects.all()
    return render(
        request,
        "pages/home.html",
        {"themes": themes, "study_count": Study.objects.count()},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            refusal = formlimits.admit(
                request,
                "contact",
                token=form.cleaned_data["form_token"],
                addresses=[form.cleaned_data["email"]],
            )
            if refusal is None:
                enquiry = form.save()
                transaction.on_commit(lambda: notify_enquiry.enqueue(enquiry.pk))
                return redirect("pages:contact_thanks")
            form.add_error(None, refusal.message)
            status = refusal.status
        # A fresh token (each works once), and what they typed is kept.
        data = request.POST.copy()
        data["form_token"] = issue_form_token()
        form.data = data
    else:
        form = ContactForm(initial={"form_token": issue_form_token()})
    return render(request, "pages/contact.html", {"form": form}, status=status)


@require_safe
def contact_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/contact_thanks.html")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse(
            {"status": "error", "database": str(exc.__class__.__name__)}, status=503
        )
    return JsonResponse({"status": "ok", "database": connection.vendor})


@require_safe
def bare(request: HttpRequest) -> HttpResponse:
    """The base layout with no data: the benchmark's yardstick. Off unless bench settings."""
    if not settings.BENCH_BARE_PAGE:
        raise Http404
    return render(request, "pages/bare.html")


FAVICON = settings.BASE_DIR / "static" / "img" / "favicon.ico"  # drawn by tools/make_favicon.py


@cache_control(public=True, max_age=86400)
@require_safe
def favicon(request: HttpRequest) -> FileResponse:
    """/favicon.ico, where browsers and feed readers look whatever the page's <link> says."""
    return FileResponse(FAVICON.open("rb"), content_type="image/x-icon")
