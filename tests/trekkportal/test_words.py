from trekkportal.words import counted


def test_only_exactly_one_is_singular():
    assert counted(1, "endring", "endringer") == "1 endring"
    assert counted(2, "endring", "endringer") == "2 endringer"
    assert counted(0, "endring", "endringer") == "0 endringer"
