"""The staff's side: every thread with contacts, unread first; replies; new messages."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import staff_required
from accounts.models import AuditEvent
from messaging.forms import StaffInboxFilterForm, StaffNewMessageForm, StaffReplyForm
from messaging.models import Message, Thread
from messaging.services import message_reply, messages_send_to_employer, thread_start
from messaging.views import get_thread_or_404, thread_messages

THREADS_PER_PAGE = 50


@staff_required
@require_GET
def inbox(request):
    filters = StaffInboxFilterForm(request.GET)
    threads = filters.filter(Thread.objects.for_staff_inbox())
    page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    return render(
        request,
        "messaging/staff/inbox.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "unread_total": Message.objects.unread_for_staff().count(),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def thread(request, public_id):
    thread = get_thread_or_404(request, public_id)
    form = StaffReplyForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        message_reply(
            thread=thread,
            sender=request.user,
            body=form.cleaned_data["body"],
            files=form.cleaned_data["attachments"],
        )
        if form.cleaned_data["mark_handled"]:
            thread.mark_handled(request.user)
        messages.success(request, f"Svaret er sendt til {thread.contact.full_name}.")
        return redirect("messaging:staff_thread", public_id=thread.public_id)
    thread_list = thread_messages(thread, request.user)
    thread.mark_shown_read(request.user, thread_list)
    return render(
        request,
        "messaging/staff/thread.html",
        {"thread": thread, "thread_messages": thread_list, "form": form},
    )


@staff_required
@require_POST
def mark_handled(request, public_id):
    thread = get_thread_or_404(request, public_id)
    handled = request.POST.get("behandlet") == "1"
    thread.mark_handled(request.user, handled=handled)
    AuditEvent.objects.record(
        "message_thread_handled" if handled else "message_thread_reopened",
        request=request,
        employer=thread.employer,
        obj=thread,
    )
    messages.success(
        request,
        "Tråden er markert som behandlet." if handled else "Tråden er markert som ubehandlet.",
    )
    return redirect("messaging:staff_thread", public_id=thread.public_id)


@staff_required
@require_http_methods(["GET", "POST"])
def new(request):
    initial = {
        "employer_number": request.GET.get("bedrift", ""),
        "username": request.GET.get("til", ""),
    }
    form = StaffNewMessageForm(request.POST or None, request.FILES or None, initial=initial)
    if form.is_valid():
        fields = {
            "sender": request.user,
            "employer": form.employer,
            "subject": form.cleaned_data["subject"],
            "body": form.cleaned_data["body"],
            "files": form.cleaned_data["attachments"],
        }
        if form.contact is not None:
            message = thread_start(contact=form.contact, **fields)
            messages.success(request, f"Meldingen er sendt til {form.contact.full_name}.")
            return redirect("messaging:staff_thread", public_id=message.thread.public_id)
        threads = messages_send_to_employer(**fields)
        messages.success(
            request,
            f"Meldingen er sendt til {len(threads)} trekkontakt{'er' if len(threads) != 1 else ''} "
            f"i {form.employer.name}.",
        )
        return redirect(f"{reverse('messaging:staff_inbox')}?bedrift={form.employer.number}")
    return render(request, "messaging/staff/new.html", {"form": form})
