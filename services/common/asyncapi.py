"""The AsyncAPI 3.0 document of every topic, generated from the topic registry.

    python -m services.common.asyncapi            # write docs/asyncapi.yaml
    python -m services.common.asyncapi --check    # exit 1 if docs/asyncapi.yaml is out of date

The schemas are the pydantic models' JSON Schemas, so the document cannot
drift from the code without the check (and the test that runs it) failing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from .topics import REGISTRY, TopicSpec, partner_referrals

DOC = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"
CE_HEADERS = {
    "type": "object",
    "description": "CloudEvents Kafka binding (binary mode) plus the correlation id.",
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "description": "Event id; consumers deduplicate on it."},
        "ce_type": {"type": "string", "description": "e.g. quebec.concerto.matching.CaseOpened"},
        "ce_source": {"type": "string", "description": "The process that wrote the event."},
        "ce_time": {"type": "string", "format": "date-time"},
        "content-type": {"type": "string", "const": "application/json"},
        "correlation_id": {"type": "string", "description": "Id of the request that caused it."},
    },
    "required": ["ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time"],
}
DLQ_HEADERS = {
    "type": "object",
    "description": "The original record's headers, plus where it came from and why it failed.",
    "properties": {
        "dlq_reason": {"type": "string"},
        "dlq_topic": {"type": "string"},
        "dlq_partition": {"type": "string"},
        "dlq_offset": {"type": "string"},
        "dlq_consumer": {"type": "string"},
    },
    "required": ["dlq_reason", "dlq_topic", "dlq_partition", "dlq_offset", "dlq_consumer"],
}


def _message(spec: TopicSpec, schemas: dict[str, Any]) -> dict[str, Any]:
    if spec.value_model is None:
        return {
            "name": "DeadLetter",
            "summary": spec.description,
            "headers": {"$ref": "#/components/schemas/DeadLetterHeaders"},
            "payload": {"description": "The original record's value, byte for byte."},
        }
    key_model = spec.key_model
    assert key_model is not None, f"{spec.name} has a value model but no key model"
    for model in (key_model, spec.value_model):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            schemas[name] = definition
        schemas[model.__name__] = schema
    return {
        "name": spec.value_model.__name__,
        "title": spec.value_model.__name__,
        "summary": (spec.value_model.__doc__ or "").strip().splitlines()[0],
        "contentType": "application/json",
        "headers": {"$ref": "#/components/schemas/CloudEventHeaders"},
        "payload": {"$ref": f"#/components/schemas/{spec.value_model.__name__}"},
        "bindings": {"kafka": {"key": {"$ref": f"#/components/schemas/{key_model.__name__}"}}},
    }


def document() -> dict[str, Any]:
    """The AsyncAPI document as a dict."""
    schemas: dict[str, Any] = {"CloudEventHeaders": CE_HEADERS, "DeadLetterHeaders": DLQ_HEADERS}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for spec in [*REGISTRY, partner_referrals("{partner_id}")]:
        channel_id = spec.name.replace(".", "_").replace("-", "_").replace("{", "").replace("}", "")
        message = _message(spec, schemas)
        channels[channel_id] = {
            "address": spec.name,
            "description": spec.description,
            "messages": {message["name"]: message},
            "bindings": {
                "kafka": {
                    "partitions": spec.partitions,
                    "topicConfiguration": {"cleanup.policy": [spec.config["cleanup.policy"]]},
                }
            },
            **(
                {"parameters": {"partner_id": {"description": "The welcoming partner's id (a UUID)."}}}
                if "{partner_id}" in spec.name
                else {}
            ),
            "x-writer": spec.writer,
            "x-compacted": spec.compacted,
        }
        operations[f"publish_{channel_id}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": f"Written by {spec.writer} only.",
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Concerto topics",
            "version": "1.0.0",
            "description": "Every Kafka topic of Concerto, generated from services/common/topics.py. "
            "Do not edit: run `make asyncapi`.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:19092",
                "protocol": "kafka-secure",
                "description": "SASL/SCRAM-SHA-512 over TLS, one principal per process (docs/security.md).",
                "security": [{"$ref": "#/components/securitySchemes/scram"}],
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {"scram": {"type": "scramSha512"}},
        },
    }


def render() -> str:
    """The document as YAML text."""
    return yaml.safe_dump(document(), sort_keys=False, allow_unicode=True, width=100)


def main() -> None:
    text = render()
    if "--check" in sys.argv[1:]:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            sys.stderr.write(f"{DOC} is out of date: run `make asyncapi`\n")
            sys.exit(1)
        return
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
