"""Container health check for the workers: exit 0 when Kafka answers, 1 otherwise.

python -m services.common.healthcheck
"""

from __future__ import annotations

import sys

from .kafka import kafka_answers
from .settings import Settings


def main() -> None:
    sys.exit(0 if kafka_answers(Settings().kafka) else 1)


if __name__ == "__main__":
    main()
