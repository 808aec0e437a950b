"""The admin pages a staff member uses load, and are staff-only."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CHANGELISTS = ["summarizer_summary", "summarizer_document", "api_job", "archiver_capture",
               "waybrief_heartbeat", "crawler_site", "crawler_crawlrun", "sites_recovery",
               "crawler_discoveredurl", "crawler_crawledpage"]  # fmt: skip


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelists_load_for_staff(admin_client, model):
    assert admin_client.get(reverse(f"admin:{model}_changelist")).status_code == 200


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelists_are_closed_to_anonymous_users(client, model):
    """GIVEN no login WHEN any changelist is asked for THEN a redirect to the login."""
    response = client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
