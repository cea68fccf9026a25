"""Dead-lettered records: list them, and replay them to their topic once the cause is fixed.

    python -m tools.deadletters list [--bootstrap 127.0.0.1:19092]
    python -m tools.deadletters replay --offset 12 [--offset 13 …]
    python -m tools.deadletters replay --all-from events-worker

A replay writes the original key, value and headers back to the topic they came
from (``dlq_topic``), with ``dlq_replayed_from`` naming the dead-letter offset. The
consumers' handlers are idempotent, so a replay can do no harm twice; the record's
ce_id is kept, so its effects keep their ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from rich.console import Console
from rich.table import Table

from services.common.cloudevents import header_dict
from services.common.kafka import API_VERSION, client_options, register_credentials
from services.common.settings import Settings
from services.common.topics import DEADLETTER

DLQ_HEADERS = ("dlq_reason", "dlq_topic", "dlq_partition", "dlq_offset", "dlq_consumer")
console = Console()


@dataclass(frozen=True)
class DeadLetter:
    """One record on deadletter.v1."""

    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, str]

    @property
    def reason(self) -> str:
        return self.headers.get("dlq_reason", "")

    @property
    def topic(self) -> str:
        return self.headers.get("dlq_topic", "")

    @property
    def consumer(self) -> str:
        return self.headers.get("dlq_consumer", "")

    def original_headers(self) -> list[tuple[str, bytes]]:
        return [(k, v.encode()) for k, v in self.headers.items() if k not in DLQ_HEADERS]


def read(bootstrap: str) -> list[DeadLetter]:
    """Every record on deadletter.v1 now."""
    consumer = KafkaConsumer(**client_options(bootstrap), group_id=None, api_version=API_VERSION)
    try:
        partition = TopicPartition(DEADLETTER.name, 0)
        consumer.assign([partition])
        consumer.seek_to_beginning(partition)
        end = consumer.end_offsets([partition])[partition]
        found: list[DeadLetter] = []
        while consumer.position(partition) < end:
            for records in consumer.poll(timeout_ms=500).values():
                found += [DeadLetter(r.offset, r.key, r.value, header_dict(r.headers)) for r in records]
        return found
    finally:
        consumer.close()


def replay(bootstrap: str, letters: list[DeadLetter]) -> int:
    """Write ``letters`` back to their topics; how many were replayed."""
    producer = KafkaProducer(
        **client_options(bootstrap), acks="all", enable_idempotence=True, api_version=API_VERSION
    )
    try:
        for letter in letters:
            headers = [*letter.original_headers(), ("dlq_replayed_from", str(letter.offset).encode())]
            producer.send(letter.topic, key=letter.key, value=letter.value, headers=headers).get(timeout=10)
        return len(letters)
    finally:
        producer.close()


cli = typer.Typer(add_completion=False, help=__doc__)
Bootstrap = Annotated[str | None, typer.Option(help="Kafka bootstrap servers (default: the settings').")]


def _bootstrap(value: str | None) -> str:
    """The broker's address; this process reaches it as the principal of the settings
    (CONCERTO_KAFKA__USERNAME, ...), else as the admin of the local stack (`make up`: var/)."""
    settings = Settings().kafka
    if value:
        settings = settings.model_copy(update={"bootstrap_servers": value})
    if settings.username is None:
        from tools.stack import StackConfig

        local = StackConfig().kafka_settings()
        settings = local.model_copy(update={"bootstrap_servers": settings.bootstrap_servers})
    register_credentials(settings)
    return settings.bootstrap_servers


@cli.command("list")
def list_letters(bootstrap: Bootstrap = None) -> None:
    """List the dead-lettered records with their origin and reason."""
    table = Table(title="deadletter.v1")
    for column in ("offset", "from", "consumer", "reason"):
        table.add_column(column)
    for letter in read(_bootstrap(bootstrap)):
        origin = f"{letter.topic}[{letter.headers.get('dlq_partition')}]@{letter.headers.get('dlq_offset')}"
        table.add_row(str(letter.offset), origin, letter.consumer, letter.reason[:120])
    console.print(table)


@cli.command("replay")
def replay_letters(
    offset: Annotated[list[int] | None, typer.Option(help="Dead-letter offsets to replay.")] = None,
    all_from: Annotated[
        str | None, typer.Option(help="Replay everything this consumer dead-lettered.")
    ] = None,
    bootstrap: Bootstrap = None,
) -> None:
    """Replay dead-lettered records to the topics they came from."""
    server = _bootstrap(bootstrap)
    letters = read(server)
    chosen = [
        letter
        for letter in letters
        if (offset and letter.offset in offset) or (all_from is not None and letter.consumer == all_from)
    ]
    if not chosen:
        console.print("nothing to replay")
        raise typer.Exit(1)
    console.print(f"replayed {replay(server, chosen)} record(s)")


if __name__ == "__main__":
    cli()
