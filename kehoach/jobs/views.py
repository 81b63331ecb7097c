"""The pages of background jobs: "my jobs", a job's status (htmx polls it while it runs) and
its file's download. Only the person who asked (or staff) reaches a job; anyone else gets 404."""

from __future__ import annotations

import mimetypes
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .choices import JobStatus
from .selectors import job_get_for_user, jobs_recent_of

POLL_SECONDS = 3


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    return render(request, "jobs/list.html", {"jobs": jobs_recent_of(user=request.user)})


@login_required
def job_detail(request: HttpRequest, uid: Any) -> HttpResponse:
    job = job_get_for_user(user=request.user, uid=uid)  # NotFoundError: 404 (middleware)
    context = {"job": job, "poll_seconds": POLL_SECONDS}
    if request.headers.get("HX-Request") == "true":
        return render(request, "jobs/partials/status.html", context)
    return render(request, "jobs/detail.html", context)


@login_required
def job_download(request: HttpRequest, uid: Any) -> FileResponse:
    job = job_get_for_user(user=request.user, uid=uid)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:  # removed from the disk
        raise Http404 from exc
    content_type = mimetypes.guess_type(job.file_name)[0] or "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=True, filename=job.file_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
