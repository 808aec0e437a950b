"""Every documented API path answers as written, with or without its trailing
slash, and the OpenAPI schema shows each in one form.

DESIGN.md and the README write ``POST /api/v1/jobs``: a redirect to the slashed
path would lose the POST body on the way (clients follow a 301 with a GET).
"""

from __future__ import annotations

import pytest
import yaml

from api.models import Job
from crawler.models import Site

pytestmark = pytest.mark.django_db
JOB = {"urls": ["https://example.org/1"], "actions": ["archive"]}


@pytest.mark.parametrize("path", ["/api/v1/jobs", "/api/v1/jobs/"])
def test_post_jobs_creates_a_job_with_or_without_the_slash(api, path):
    response = api.post(path, JOB, format="json")
    assert response.status_code == 201, (response.status_code, response.get("Location"))
    job = Job.objects.get()
    assert api.get(f"/api/v1/jobs/{job.pk}").json()["id"] == str(job.pk)
    assert api.get(f"/api/v1/jobs/{job.pk}/items").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/sites", "/api/v1/sites/"])
def test_post_sites_creates_a_site_with_or_without_the_slash(api, path):
    response = api.post(path, {"url": "https://blog.xuite.net/alice/diary"}, format="json")
    assert response.status_code == 201, response.status_code
    assert Site.objects.get().url == "https://blog.xuite.net/alice/diary"


def test_the_schema_lists_each_path_in_one_form(api):
    paths = set(yaml.safe_load(api.get("/api/v1/schema/").content)["paths"])
    assert "/api/v1/jobs/" in paths and "/api/v1/jobs/{id}/items/" in paths
    assert not {p for p in paths if "?" in p or p.rstrip("/") + "/" in paths - {p}}
    assert "/api/v0/summarize" in paths and "/api/v0/summarize/" not in paths
