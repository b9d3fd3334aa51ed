from io import StringIO

from django.core.management import call_command

from messaging.models import Message, Thread
from messaging.unread import unread_count


def test_demo_gives_kari_and_ola_messages_with_one_unread_answer_each(db, settings, rf):
    settings.DEBUG = True

    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())

    assert Thread.objects.count() == 3
    for username in ("10000001", "10000002"):
        request = rf.get("/")
        request.user = Message.objects.filter(recipient__username=username).first().recipient
        assert unread_count(request) == 1
