"""The contact's mailbox: every message to or from the user, whichever role is active."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import role_required
from accounts.models import AuditEvent
from messaging.forms import NewMessageForm, ReplyForm
from messaging.models import Attachment, Message, Thread
from messaging.services import message_reply, thread_start

THREADS_PER_PAGE = 25
RATE_LIMITED = "Du har sendt mange meldinger på kort tid. Prøv igjen om litt."


def get_thread_or_404(request, public_id):
    """The one lookup for a thread: its contact (or staff) see it, anyone else gets a 404."""
    return get_object_or_404(
        Thread.objects.visible_to(request.user).select_related("employer", "contact"),
        public_id=public_id,
    )


def thread_messages(thread, user):
    """The messages of a thread the user may read, with what the page shows of them."""
    messages = list(
        thread.messages.visible_to(user)
        .select_related("sender", "recipient", "sender_employer")
        .prefetch_related("attachments")
    )
    for message in messages:
        message.unread = message.is_unread_for(user)
    return messages


def sending_limited(user):
    """True once a contact has sent MESSAGES_PER_10_MINUTES in ten minutes or MESSAGES_PER_DAY
    in a day (new messages and replies): each may carry five large attachments. Staff: never."""
    if user.is_staff:
        return False
    now = timezone.now()
    counts = Message.objects.filter(sender=user, created_at__gt=now - timedelta(days=1)).aggregate(
        day=Count("pk"), recent=Count("pk", filter=Q(created_at__gt=now - timedelta(minutes=10)))
    )
    return (
        counts["recent"] >= settings.MESSAGES_PER_10_MINUTES
        or counts["day"] >= settings.MESSAGES_PER_DAY
    )


def _limited_response(request, template, form_class, context):
    """The page again with what was typed (attachments are not even read), and a 429."""
    messages.error(request, RATE_LIMITED)
    if request.FILES:
        messages.info(request, "Vedleggene er ikke lagret. Legg dem ved på nytt når du sender.")
    context["form"] = form_class(request.POST)
    return render(request, template, context, status=429)


@role_required
@require_GET
def inbox(request):
    threads = Thread.objects.for_contact_inbox(request.user)
    page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("side"))
    return render(request, "messaging/inbox.html", {"page": page})


@role_required
@require_http_methods(["GET", "POST"])
def new(request):
    if request.method == "POST" and sending_limited(request.user):
        return _limited_response(request, "messaging/new.html", NewMessageForm, {})
    form = NewMessageForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        message = thread_start(
            sender=request.user,
            employer=request.role.employer,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            files=form.cleaned_data["attachments"],
        )
        messages.success(request, "Meldingen er sendt til trekkteamet.")
        return redirect(message.thread)
    return render(request, "messaging/new.html", {"form": form})


@role_required
@require_http_methods(["GET", "POST"])
def thread(request, public_id):
    thread = get_thread_or_404(request, public_id)
    if request.method == "POST" and sending_limited(request.user):
        context = {"thread": thread, "thread_messages": thread_messages(thread, request.user)}
        return _limited_response(request, "messaging/thread.html", ReplyForm, context)
    form = ReplyForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        message_reply(
            thread=thread,
            sender=request.user,
            sender_employer=request.role.employer,
            body=form.cleaned_data["body"],
            files=form.cleaned_data["attachments"],
        )
        messages.success(request, "Svaret er sendt.")
        return redirect(thread)
    thread_list = thread_messages(thread, request.user)
    thread.mark_shown_read(request.user, thread_list)
    return render(
        request,
        "messaging/thread.html",
        {"thread": thread, "thread_messages": thread_list, "form": form},
    )


@login_required
@require_GET
def attachment(request, public_id):
    """An attachment, as a download, to the sender, the recipient or staff; else a 404."""
    attachment = (
        Attachment.objects.visible_to(request.user)
        .select_related("message__thread")
        .filter(public_id=public_id)
        .first()
    )
    if attachment is None:
        raise Http404
    try:
        stored = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    AuditEvent.objects.record(
        "message_attachment_download",
        request=request,
        employer=attachment.message.thread.employer,
        obj=attachment,
    )
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
