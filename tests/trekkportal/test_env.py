"""The strict readers of the environment: a value that makes no sense stops start-up."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from trekkportal.env import env_bool, env_choice, env_int, env_list, env_str


@pytest.mark.parametrize("value", ["true", "True", "1", "yes", "on", " TRUE "])
def test_bool_reads_true(monkeypatch, value):
    monkeypatch.setenv("FLAG", value)
    assert env_bool("FLAG", False) is True


@pytest.mark.parametrize("value", ["false", "0", "no", "off"])
def test_bool_reads_false(monkeypatch, value):
    monkeypatch.setenv("FLAG", value)
    assert env_bool("FLAG", True) is False


def test_bool_falls_back_to_the_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)
    assert env_bool("FLAG", True) is True
    monkeypatch.setenv("FLAG", "")
    assert env_bool("FLAG", False) is False


@pytest.mark.parametrize("value", ["ja", "treu", "2", "nei"])
def test_bool_that_is_neither_true_nor_false_is_an_error(monkeypatch, value):
    monkeypatch.setenv("FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="FLAG must be true or false"):
        env_bool("FLAG", False)


def test_int_reads_a_number_and_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("COUNT", "12")
    assert env_int("COUNT", 0) == 12
    monkeypatch.setenv("COUNT", "tolv")
    with pytest.raises(ImproperlyConfigured, match="COUNT must be a whole number"):
        env_int("COUNT", 0)


def test_int_below_its_minimum_is_an_error(monkeypatch):
    monkeypatch.setenv("COUNT", "-1")
    with pytest.raises(ImproperlyConfigured, match="COUNT must be at least 0"):
        env_int("COUNT", 5, minimum=0)


def test_required_str_that_is_missing_is_an_error(monkeypatch):
    monkeypatch.delenv("NAME", raising=False)
    assert env_str("NAME", "standard") == "standard"
    with pytest.raises(ImproperlyConfigured, match="NAME must be set"):
        env_str("NAME", required=True)


def test_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , ,b.example")
    assert env_list("HOSTS") == ["a.example", "b.example"]
    monkeypatch.setenv("HOSTS", " ")
    assert env_list("HOSTS", ["x"]) == ["x"]


def test_choice_outside_the_choices_is_an_error(monkeypatch):
    monkeypatch.setenv("BACKEND", "carrier-pigeon")
    with pytest.raises(ImproperlyConfigured, match="BACKEND must be one of console, twilio"):
        env_choice("BACKEND", "console", {"console", "twilio"})
