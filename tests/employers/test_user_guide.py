import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_user_guide_is_open_to_everyone_and_explains_the_first_password(client):
    response = client.get(reverse("user_guide"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Brukerveiledning for trekkportalen" in body
    assert "«Glemt passord?»" in body
    assert "60 minutter fra e-post og 15 minutter fra SMS" in body


def test_every_link_in_the_table_of_contents_has_its_section(client):
    body = client.get(reverse("user_guide")).content.decode()
    anchors = re.findall(r'href="#([\w-]+)"', body)
    assert len(anchors) >= 8
    for anchor in anchors:
        assert f'id="{anchor}"' in body, anchor
