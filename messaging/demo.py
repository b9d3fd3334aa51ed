"""Demo messages: a short exchange for Kari and one for Ola, each with an unread reply."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from employers.models import Employer
from messaging.models import Message, Thread

CONVERSATIONS = [
    {
        "contact": "10000001",
        "employer": "94001761",
        "subject": "Medlem sluttet i februar",
        "messages": [
            (
                "contact",
                "Hei! Ett av medlemmene på listen sluttet hos oss 15.02. Skal vi trekke for "
                "hele februar, eller bare halve?",
            ),
            (
                "staff",
                "Hei Kari! Dere trekker for hele februar. Fra mars faller medlemmet ut av "
                "trekkgrunnlaget. Si gjerne fra om sluttdatoen i trekklisten.",
            ),
        ],
    },
    {
        "contact": "10000001",
        "employer": "94002001",
        "subject": "Nytt kontonummer?",
        "messages": [
            ("contact", "Gjelder kontonummeret 9001 07 41504 fortsatt for innbetaling?"),
        ],
    },
    {
        "contact": "10000002",
        "employer": "00080000",
        "subject": "Test flysikring",
        "messages": [
            ("staff", "Hei Ola! Trekklisten for januar mangler. Kan du levere den snart?"),
        ],
    },
]


def load(out):
    staff = User.objects.filter(username="90000001").first()
    if staff is None or Thread.objects.exists():
        out.write("Meldinger: finnes fra før, eller mangler stab; ingen nye lagt inn")
        return
    now = timezone.now()
    count = 0
    for index, data in enumerate(CONVERSATIONS):
        contact = User.objects.get(username=data["contact"])
        employer = Employer.objects.get(number=data["employer"])
        started = now - timedelta(days=3 - index, hours=2)
        thread = Thread.objects.create(
            subject=data["subject"], contact=contact, employer=employer, created_at=started
        )
        parent = None
        for step, (side, body) in enumerate(data["messages"]):
            at = started + timedelta(hours=step * 3)
            from_contact = side == "contact"
            parent = Message.objects.create(
                thread=thread,
                parent=parent,
                sender=contact if from_contact else staff,
                recipient=None if from_contact else contact,
                sender_employer=employer if from_contact else None,
                subject=thread.subject,
                body=body,
                created_at=at,
                read_at=at + timedelta(minutes=30) if from_contact else None,
                read_by=staff if from_contact else None,
            )
            thread.last_message_at = at
            count += 1
        thread.message_count = len(data["messages"])
        thread.save(update_fields=["last_message_at", "message_count"])
    out.write(f"Meldinger: {count} i {len(CONVERSATIONS)} tråder (Kari og Ola har ett ulest svar)")
