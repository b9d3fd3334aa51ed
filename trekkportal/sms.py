"""Sending SMS: one function, three backends chosen by SMS_BACKEND.

- ``twilio``: production, through the Twilio SDK;
- ``console``: development, the message goes to the log;
- ``memory``: tests, the message is kept in ``outbox``.

The two-factor SMS gateway (TwoFactorGateway) sends through the same function.
"""

import logging
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger("trekkportal.sms")

outbox = []


@dataclass(frozen=True)
class Sms:
    to: str
    body: str


class SmsError(Exception):
    """The message could not be handed to the SMS provider."""


def send_sms(to, body):
    """Send one SMS to an E.164 number (a PhoneNumber or its string)."""
    message = Sms(to=str(to), body=body)
    backend = settings.SMS_BACKEND
    if backend == "memory":
        outbox.append(message)
    elif backend == "console":
        logger.info("SMS to %s: %s", message.to, message.body)
    else:
        _send_with_twilio(message)
    return message


def _send_with_twilio(message):
    from twilio.base.exceptions import TwilioException
    from twilio.rest import Client

    client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
    try:
        client.messages.create(to=message.to, from_=settings.TWILIO_FROM, body=message.body)
    except TwilioException as error:
        raise SmsError(str(error)) from error


class TwoFactorGateway:
    """django-two-factor-auth's SMS gateway, sending through send_sms."""

    def send_sms(self, device, token):
        send_sms(device.number.as_e164, f"Din engangskode for Trekkportalen er {token}.")

    def make_call(self, device, token):  # pragma: no cover - calls are switched off
        raise SmsError("Oppringing er ikke tilgjengelig.")
