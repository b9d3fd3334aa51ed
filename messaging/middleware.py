"""Mail and SMS a request records go out after its response: the request never waits on a mail
server, and how long it takes tells nothing about what was sent (say, whether an ID exists)."""

from functools import partial

from messaging.outbox import collecting, send_quietly


class OutboxMiddleware:
    """Collects the outbox rows the view recorded (`messaging.outbox.send_soon`) and sends them
    when the response is closed: Django's WSGI handler closes it once the body has been handed
    to the client (the test client at once, after the view)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with collecting() as pks:
            response = self.get_response(request)
        if pks:
            response._resource_closers.append(partial(send_quietly, pks))
        return response
