"""The default support-measure catalogue (data/measures.json): published by partners-api once, never twice.

partners-api publishes each measure of the file as an offer of the platform at
start-up, under an id derived from the measure's code, unless offers.v1 holds it
already. A second instance started on the same broker (a restart) publishes nothing.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from services.common.settings import Settings
from services.partners.api import create_app
from services.partners.catalogue import default_measures, measure_offer_id
from tests.support import bearer, eventually, read_topic

pytestmark = pytest.mark.integration

CODES = {m.code for m in default_measures()}


def ready(client: TestClient) -> TestClient:
    eventually(lambda: client.get("/health").status_code == 200, 60, "partners-api to be ready")
    return client


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield ready(client)


def measures(client: TestClient) -> dict[str, dict[str, Any]]:
    """The support-measure offers a client lists, by measure code."""
    response = client.get("/offers", params={"kind": "support_measure"}, headers=bearer("counsellor"))
    assert response.status_code == 200, response.text
    return {o["measure"]["code"]: o for o in response.json()}


def catalogue_listed(client: TestClient) -> dict[str, dict[str, Any]]:
    """The measures listed, once every measure of the file is there."""

    def complete() -> dict[str, dict[str, Any]] | None:
        listed = measures(client)
        return listed if listed.keys() >= CODES else None

    return eventually(complete, 30, "every default measure to be listed")


def records_per_measure(settings: Settings) -> Counter[str]:
    ids = {str(measure_offer_id(code)): code for code in CODES}
    counts: Counter[str] = Counter({code: 0 for code in CODES})
    for record in read_topic(settings.kafka.bootstrap_servers, "offers.v1"):
        offer_id = json.loads(record.key)["offer_id"]
        if offer_id in ids:
            counts[ids[offer_id]] += 1
    return counts


def test_every_default_measure_is_offered_by_the_platform(api: TestClient) -> None:
    listed = catalogue_listed(api)
    for code in CODES:
        offer = listed[code]
        assert offer["offer_id"] == str(measure_offer_id(code))
        assert (offer["partner_id"], offer["status"]) == (None, "active")
        assert offer["title"] == offer["measure"]["name_fr"]


def test_the_priime_wage_subsidy_is_paid_to_the_employer(api: TestClient) -> None:
    priime = catalogue_listed(api)["priime_wage_subsidy"]["measure"]
    assert priime["payee"] == "employer"
    assert priime["paid_by"] == "Services Québec"
    assert "job_hours_per_week" in {c["fact"] for c in priime["eligibility"]}


def test_the_francization_allowance_has_its_three_exclusions(api: TestClient) -> None:
    allowance = catalogue_listed(api)["francization_participation_allowance"]["measure"]
    assert [(c["fact"], c["op"], c["value"]) for c in allowance["exclusions"]] == [
        ("receives_social_assistance", "eq", True),
        ("receives_employment_insurance", "eq", True),
        ("immigration_status", "eq", "asylum_seeker"),
    ]


def test_a_restart_publishes_the_catalogue_no_second_time(api: TestClient, settings: Settings) -> None:
    catalogue_listed(api)
    assert records_per_measure(settings) == Counter({code: 1 for code in CODES})

    with capture_logs() as logs, TestClient(create_app(settings)) as restarted:
        ready(restarted)
        [seeded] = eventually(
            lambda: [e for e in logs if e["event"] == "measures.catalogue_seeded"],
            30,
            "the restarted API to seed its catalogue",
        )
        assert seeded["published"] == 0
        assert catalogue_listed(restarted).keys() == catalogue_listed(api).keys()

    assert records_per_measure(settings) == Counter({code: 1 for code in CODES})
