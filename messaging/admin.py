"""Admin for searching messages (reading and answering happen on the staff pages), and the
outbox: every mail and SMS the portal sends, with «Prøv igjen» and «Avvis» for failed ones."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from accounts.models import AuditEvent
from messaging.models import Attachment, Message, OutboxMessage, Thread
from trekkportal.admin import ReadOnlyAdmin, ReadOnlyInline


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["download", "size", "content_type", "created_at"]
    readonly_fields = fields

    @admin.display(description="vedlegg")
    def download(self, attachment):
        url = reverse("messaging:attachment", args=[attachment.public_id])
        return format_html('<a href="{}">{}</a>', url, attachment.original_name)


class NoticeInline(ReadOnlyInline):
    model = OutboxMessage
    fields = ["kind", "channel", "address", "status", "attempts", "sent_at", "last_error"]
    readonly_fields = fields


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["created_at", "sender", "recipient", "read_at"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["subject", "contact", "employer", "last_message_at", "handled"]
    list_filter = ["handled"]
    search_fields = [
        "subject",
        "contact__username",
        "contact__full_name",
        "employer__name",
        "employer__number",
    ]
    list_select_related = ["contact", "employer"]
    date_hierarchy = "last_message_at"
    fields = ["staff_page", "subject", "contact", "employer", "handled", "handled_by", "handled_at"]
    readonly_fields = fields
    inlines = [MessageInline]

    @admin.display(description="åpne")
    def staff_page(self, thread):
        url = reverse("messaging:staff_thread", args=[thread.public_id])
        return format_html('<a href="{}">Les og svar på stabssiden</a>', url)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "sender", "recipient_display", "employer", "created_at", "read_at"]
    list_filter = [
        ("recipient", admin.EmptyFieldListFilter),
        ("read_at", admin.EmptyFieldListFilter),
    ]
    search_fields = [
        "subject",
        "body",
        "sender__username",
        "sender__full_name",
        "recipient__username",
        "recipient__full_name",
        "thread__employer__name",
        "thread__employer__number",
    ]
    list_select_related = ["sender", "recipient", "thread__employer"]
    date_hierarchy = "created_at"
    fields = [
        "thread",
        "sender",
        "sender_employer",
        "recipient",
        "subject",
        "body",
        "created_at",
        "read_at",
        "read_by",
    ]
    readonly_fields = fields
    inlines = [AttachmentInline, NoticeInline]

    @admin.display(description="mottaker")
    def recipient_display(self, message):
        return message.recipient_label

    @admin.display(description="bedrift", ordering="thread__employer__name")
    def employer(self, message):
        return message.thread.employer

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """What left the portal, or is waiting to, and why a mail or SMS failed. Read-only: staff
    can only send a failed row again («Prøv igjen») or give it up («Avvis»), both audited."""

    list_display = [
        "created_at",
        "kind",
        "channel",
        "address",
        "employer",
        "period",
        "status",
        "failure",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["kind", "channel", "status", "failure"]
    search_fields = ["address", "employer__name", "employer__number", "recipient__username"]
    list_select_related = ["employer"]
    date_hierarchy = "created_at"
    fields = [
        "kind",
        "channel",
        "recipient",
        "address",
        "employer",
        "period",
        "message",
        "status",
        "failure",
        "attempts",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = ["retry", "dismiss"]

    @admin.action(description="Prøv igjen (feilede sendes ved neste kjøring)", permissions=["view"])
    def retry(self, request, queryset):
        """Failed rows wait again, with their attempts counted afresh, to the recipient's
        current address when they have one (a corrected address is used)."""
        rows = list(queryset.filter(status=OutboxMessage.Status.FAILED).select_related("recipient"))
        for row in rows:
            address = row.current_address() or row.address
            OutboxMessage.objects.filter(pk=row.pk, status=OutboxMessage.Status.FAILED).update(
                status=OutboxMessage.Status.PENDING,
                attempts=0,
                failure="",
                address=address,
                claimed_at=None,
            )
            AuditEvent.objects.record(
                "outbox_retried",
                request=request,
                employer=row.employer,
                obj=row,
                kind=row.kind,
                channel=row.channel,
                error=row.last_error,
            )
        self._report(request, queryset, len(rows), "lagt i kø for å sendes igjen")

    @admin.action(description="Avvis (sendes ikke)", permissions=["view"])
    def dismiss(self, request, queryset):
        rows = list(queryset.filter(status=OutboxMessage.Status.FAILED))
        for row in rows:
            OutboxMessage.objects.filter(pk=row.pk, status=OutboxMessage.Status.FAILED).update(
                status=OutboxMessage.Status.DISMISSED
            )
            AuditEvent.objects.record(
                "outbox_dismissed",
                request=request,
                employer=row.employer,
                obj=row,
                kind=row.kind,
                channel=row.channel,
                error=row.last_error,
            )
        self._report(request, queryset, len(rows), "avvist")

    def _report(self, request, queryset, done, what):
        skipped = queryset.count() - done
        self.message_user(request, f"{done} {what}.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} var ikke feilet og ble ikke endret.", messages.WARNING
            )
