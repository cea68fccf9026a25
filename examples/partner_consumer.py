"""Follow the households Concerto refers to your organization (a welcoming partner).

Run it as it is; it needs only Python 3.9+ and kafka-python (`pip install kafka-python`):

    python examples/partner_consumer.py --bootstrap kafka.concerto.example:9092 \\
        --partner-id 6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e

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
import sys
from collections.abc import Iterator
from typing import Any

from kafka import KafkaConsumer


def households(bootstrap: str, partner_id: str, idle_ms: int | None = None) -> Iterator[dict[str, Any]]:
    """Each change to a household referred to ``partner_id``, oldest first.

    With ``idle_ms`` it stops after that long without news; without, it waits for ever.
    """
    consumer = KafkaConsumer(
        f"partner-referrals.{partner_id}.v1",
        bootstrap_servers=bootstrap,
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
    args = parser.parse_args()
    for change in households(args.bootstrap, args.partner_id, args.idle_ms):
        sys.stdout.write(json.dumps(change, ensure_ascii=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
