from unittest import mock

import pytest
from twilio.base.exceptions import TwilioRestException
from two_factor.plugins.phonenumber.models import PhoneDevice

from trekkportal import sms


def test_memory_backend_keeps_the_message(sms_outbox):
    sms.send_sms("+4791234567", "Hei")
    assert sms_outbox == [sms.Sms(to="+4791234567", body="Hei")]


def test_console_backend_logs_and_sends_nothing(settings, sms_outbox, caplog):
    settings.SMS_BACKEND = "console"
    with caplog.at_level("INFO", logger="trekkportal.sms"):
        sms.send_sms("+4791234567", "Hei")
    assert sms_outbox == []
    assert "SMS to +4791234567: Hei" in caplog.text


@pytest.fixture
def twilio(settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = "AC123"
    settings.TWILIO_AUTH_TOKEN = "hemmelig"
    settings.TWILIO_FROM = "+4759440000"
    with mock.patch("twilio.rest.Client") as client:
        yield client


def test_twilio_backend_sends_through_the_sdk(twilio, sms_outbox):
    sms.send_sms("+4791234567", "Hei")
    twilio.assert_called_once_with("AC123", "hemmelig")
    twilio.return_value.messages.create.assert_called_once_with(
        to="+4791234567", from_="+4759440000", body="Hei"
    )
    assert sms_outbox == []


def test_twilio_failure_is_an_sms_error(twilio):
    twilio.return_value.messages.create.side_effect = TwilioRestException(
        400, "https://api.twilio.com", "Invalid 'To' Phone Number"
    )
    with pytest.raises(sms.SmsError, match="Invalid 'To' Phone Number"):
        sms.send_sms("+4700000000", "Hei")


@pytest.mark.django_db
def test_two_factor_gateway_sends_the_code_through_send_sms(owner, sms_outbox):
    device = PhoneDevice.objects.create(user=owner, name="default", number="+4791234567")
    device.generate_challenge()
    assert len(sms_outbox) == 1
    assert sms_outbox[0].to == "+4791234567"
    code = sms_outbox[0].body.split()[-1].rstrip(".")
    assert code.isdigit() and len(code) == 6
    assert device.verify_token(code)
