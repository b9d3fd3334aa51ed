"""The page a PDF link answers with until the task worker has made the file.

It refreshes itself (a meta refresh, no script, so the CSP stays strict) and, once the file
exists, the same URL answers with the download. A failed render offers «Prøv igjen», a POST
to the same URL that queues it again.
"""

from django.shortcuts import render

REFRESH_SECONDS = 2


def pdf_pending(request, *, what, failed, back_url):
    """`what` names the PDF in Norwegian ("trekklisten for februar 2025, versjon 1")."""
    return render(
        request,
        "deductions/pdf_pending.html",
        {
            "what": what,
            "failed": failed,
            "back_url": back_url,
            "refresh_seconds": None if failed else REFRESH_SECONDS,
        },
    )
