"""Admin for searching messages. Reading and answering happen on the staff pages."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from messaging.models import Attachment, Message, MessageNotice, Thread


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["download", "size", "content_type", "created_at"]
    readonly_fields = fields

    @admin.display(description="vedlegg")
    def download(self, attachment):
        url = reverse("messaging:attachment", args=[attachment.public_id])
        return format_html('<a href="{}">{}</a>', url, attachment.original_name)


class NoticeInline(ReadOnlyInline):
    model = MessageNotice
    fields = ["channel", "recipient", "status", "attempts", "sent_at", "last_error"]
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


@admin.register(MessageNotice)
class MessageNoticeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "recipient", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["recipient__username", "recipient__full_name"]
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in MessageNotice._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
