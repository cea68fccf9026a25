"""Follow the households Concerto refers to your organization (a welcoming partner).

Run it as it is; it needs only Python 3.9+ and kafka-python (`pip install kafka-python`):

    PARTNER_KAFKA_PASSWORD=... python examples/partner_consumer.py \\
        --bootstrap kafka.concerto.example:9092 --ca-file concerto-ca.pem \\
        --partner-id 6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e

The broker takes only authenticated clients over TLS (SASL/SCRAM-SHA-512): your user is
``partner-<your partner id>``, its password was shown once to your staff by partners-api
(POST /partners/<your partner id>/stream-credentials; keep it in a secret store, and ask again to
rotate it: the old one is then refused), and ``--ca-file`` is the certificate of the authority
that signed the broker's (none: your system's authorities). Those credentials may read your topic
with your group, nothing else, and stop working when your organization is deactivated.

Your organization's topic, ``partner-referrals.<your partner id>.v1``, holds one
record per household referred to you, updated when its status changes
(proposed, accepted, declined, cancelled), and a tombstone (no value) when the
person asked to be erased: delete what you kept about them. Records carry no
name, email or phone; when the person agreed to share them, read them from
matching-api: GET /partners/<your partner id>/referrals/<referral id>.

It prints one JSON line per change and remembers where it stopped (consumer
group ``partner-<your partner id>``), so running it again prints only what is new.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from typing import Any

from kafka import KafkaConsumer


def households(
    bootstrap: str,
    partner_id: str,
    idle_ms: int | None = None,
    *,
    password: str,
    ca_file: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Each change to a household referred to ``partner_id``, oldest first.

    With ``idle_ms`` it stops after that long without news; without, it waits for ever.
    """
    consumer = KafkaConsumer(
        f"partner-referrals.{partner_id}.v1",
        bootstrap_servers=bootstrap,
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_plain_username=f"partner-{partner_id}",
        sasl_plain_password=password,
        ssl_cafile=ca_file,
        group_id=f"partner-{partner_id}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=idle_ms if idle_ms is not None else float("inf"),
    )
    try:
        for record in consumer:
            referral_id = json.loads(record.key)["referral_id"]
            if record.value is None:
                yield {"referral_id": referral_id, "erased": True}
            else:
                yield json.loads(record.value)
            consumer.commit()  # after you have handled it: a crash means you see it again, never miss it
    finally:
        consumer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True, help="Concerto's Kafka address, host:port")
    parser.add_argument("--partner-id", required=True, help="Your organization's id in Concerto")
    parser.add_argument("--idle-ms", type=int, default=None, help="Stop after this long without news")
    parser.add_argument("--ca-file", default=None, help="The CA certificate that signed the broker's")
    args = parser.parse_args()
    password = os.environ.get("PARTNER_KAFKA_PASSWORD")
    if not password:
        parser.error("set PARTNER_KAFKA_PASSWORD to your organization's Kafka password")
    changes = households(
        args.bootstrap, args.partner_id, args.idle_ms, password=password, ca_file=args.ca_file
    )
    for change in changes:
        sys.stdout.write(json.dumps(change, ensure_ascii=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
