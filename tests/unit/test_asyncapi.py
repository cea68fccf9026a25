"""The AsyncAPI document in docs/ is generated from the topic registry and must be up to date."""

from __future__ import annotations

import yaml

from services.common import asyncapi
from services.common.topics import PARTNER_REFERRALS_PATTERN, REGISTRY


def test_the_committed_asyncapi_document_matches_the_registry() -> None:
    committed = asyncapi.DOC.read_text(encoding="utf-8")
    assert committed == asyncapi.render(), "docs/asyncapi.yaml is out of date: run `make asyncapi`"


def test_every_registered_topic_is_a_channel_with_its_writer_and_layout() -> None:
    document = yaml.safe_load(asyncapi.render())
    channels = {c["address"]: c for c in document["channels"].values()}
    assert set(channels) == {spec.name for spec in REGISTRY} | {PARTNER_REFERRALS_PATTERN}
    assert "partner_id" in channels[PARTNER_REFERRALS_PATTERN]["parameters"]
    for spec in REGISTRY:
        channel = channels[spec.name]
        assert channel["x-writer"] == spec.writer
        assert channel["bindings"]["kafka"]["partitions"] == spec.partitions
        if spec.value_model is not None:
            [message] = channel["messages"].values()
            assert message["payload"]["$ref"].endswith("/" + spec.value_model.__name__)
            assert spec.value_model.__name__ in document["components"]["schemas"]
