"""The app as deployed answers: health check, sign-in over HTTP, a staff page, several web
worker processes and a queue worker serving both of its queues."""

import pytest

pytestmark = pytest.mark.deployed


def test_health_login_and_a_staff_page(deployed):
    health = deployed.get("/healthz").json()
    assert health["status"] == "ok" and health["database"] == "ok"
    assert health["text_encoder"]  # which encoder analysis runs (docs/analysis.md)
    assert len(deployed.web_worker_pids()) >= 2
    assert deployed.worker_pid is not None
    staff = deployed.session("staff", "es")
    page = staff.get(deployed.url + "/staff/", timeout=30)
    assert page.status_code == 200
    assert 'lang="es"' in page.text
    anonymous = deployed.get("/staff/")
    assert anonymous.status_code == 302 and "/staff/login" in anonymous.headers["Location"]


def test_the_queue_worker_serves_the_ordinary_and_the_long_jobs_queue(deployed):
    """``flask worker`` as deployed takes jobs from both queues (the long one counts the
    review ahead): ``queue-ping`` fails with a non-zero exit where no worker answers."""
    deployed.flask_command("queue-ping", "--timeout", "60")
    deployed.flask_command("queue-ping", "--long", "--timeout", "60")
