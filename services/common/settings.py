"""Settings shared by every process, read from ``CONCERTO_*`` environment variables.

Each process builds its own settings object in ``main()`` and passes it down;
nothing reads the environment at import time.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .auth import AuthSettings
from .clock import SystemClock, pinned_offset


class KafkaSettings(BaseModel):
    """How to reach the broker (``CONCERTO_KAFKA__BOOTSTRAP_SERVERS`` and so on)."""

    bootstrap_servers: str = Field(default="127.0.0.1:19092", description="host:port[,host:port]")
    replication_factor: int = Field(default=1, ge=1, description="For topics created at start-up.")
    request_timeout_ms: int = Field(default=5000, ge=100, description="Broker request timeout.")
    max_block_ms: int = Field(
        default=5000, ge=100, description="How long a write may wait for the broker before a 503."
    )
    linger_ms: int = Field(default=2, ge=0, description="Producer batching delay.")
    max_record_bytes: int = Field(
        default=256 * 1024,
        ge=1024,
        description="Consumers dead-letter a record whose key and value are larger (the broker takes 1 MiB).",
    )
    read_your_writes_timeout_s: float = Field(
        default=5.0, gt=0, description="How long an API waits for its projection to see its own write."
    )
    # The broker authenticates every client with SASL/SCRAM-SHA-512 over TLS (docs/security.md).
    security_protocol: Literal["SASL_SSL", "PLAINTEXT"] = Field(
        default="SASL_SSL",
        description="SASL_SSL always, but for infra/docker-compose.yml's broker, not secured yet "
        "(refused in production).",
    )
    username: str | None = Field(default=None, description="This process's principal at the broker.")
    password: SecretStr | None = Field(
        default=None, description="Its SCRAM-SHA-512 password (never logged; or password_file)."
    )
    password_file: str | None = Field(default=None, description="A file holding the password instead.")
    ca_file: str | None = Field(
        default=None, description="PEM of the CA that signed the broker's certificate (None: the system's)."
    )

    def secret(self) -> str | None:
        """The password, from ``password`` or ``password_file``."""
        if self.password is not None:
            return self.password.get_secret_value()
        if self.password_file:
            with open(self.password_file, encoding="utf-8") as handle:
                return handle.read().strip()
        return None


class ProvisionerSettings(BaseModel):
    """partners-api's provisioning principal (``CONCERTO_PROVISIONER__USERNAME`` and so on), which
    gives each partner its stream credentials (docs/security.md). It may create any user and ACL at
    the broker: only partners-api is given it. Unset (development, tests), the process's own
    principal is used."""

    username: str | None = Field(default=None, description="The principal, `partners-provisioner`.")
    password: SecretStr | None = Field(default=None, description="Its password (or password_file).")
    password_file: str | None = Field(default=None, description="A file holding the password instead.")
    public_bootstrap: str | None = Field(
        default=None, description="The broker address partners are given (None: kafka.bootstrap_servers)."
    )
    ca_note: str = Field(
        default="The broker's certificate is signed by Concerto's certificate authority: ask the hub "
        "for its certificate (ca.pem) and pass it as --ca-file / Le certificat du courtier est signé "
        "par l'autorité de Concerto : demandez son certificat (ca.pem) au carrefour.",
        description="What partners are told about the certificate authority to trust.",
    )

    def kafka(self, kafka: KafkaSettings) -> KafkaSettings:
        """``kafka`` with this principal's credentials (``kafka`` itself when none are set)."""
        if self.username is None:
            return kafka
        update = {"username": self.username, "password": self.password, "password_file": self.password_file}
        return kafka.model_copy(update=update)


class SmtpSettings(BaseModel):
    """Outgoing mail (``CONCERTO_SMTP__HOST`` and so on)."""

    host: str = "127.0.0.1"
    port: int = 1025
    security: Literal["none", "starttls", "tls"] = "none"
    username: str | None = None
    password: str | None = None
    sender: str = "Concerto <no-reply@concerto.quebec>"
    timeout_s: float = 10.0


class MatchingSettings(BaseModel):
    """Concertation rounds and intake (``CONCERTO_MATCHING__ROUND_INTERVAL_S`` and so on)."""

    round_interval_s: float = Field(
        default=7 * 24 * 3600.0,
        ge=0,
        description="A round on this schedule (seconds; weekly by default; 0 = only on demand by the hub).",
    )
    referrals_per_position: float = Field(
        default=2.0, gt=0, description="At most this many referrals suggest one job, per position it has."
    )
    jobs_per_plan: int = Field(default=3, ge=0)
    settlement_per_plan: int = Field(default=3, ge=0)
    activities_per_plan: int = Field(default=3, ge=0)
    self_registration_limit: str = Field(
        default="5/minute", description="Self-registrations allowed per client address (limits syntax)."
    )
    person_token_days: int = Field(
        default=90, ge=1, description="How long a self-registered person's token lasts."
    )
    queue_check_s: float = Field(
        default=5.0,
        gt=0,
        description="How often the worker gives places of counsellors added or given room to waiting cases.",
    )


class HubSettings(BaseModel):
    """The Montréal hub's coordinators (``CONCERTO_HUB__EMAIL``): who is alerted of cases waiting."""

    email: str = Field(
        default="coordination@carrefour-regions.example.org",
        description="The hub coordinators' address: alerted of each case waiting for a counsellor.",
    )
    language: Literal["fr", "en"] = Field(default="fr", description="The language of their alerts.")


class DigestSettings(BaseModel):
    """The weekly digest to each concertation table (``CONCERTO_DIGEST__WEEKDAY`` and so on).

    Due from ``weekday`` at ``hour`` (Montréal time) to the end of the ISO week; the
    notifications worker checks every ``check_interval_s`` and sends each table's
    digest once per week (docs/notifications.md). In tests, ``weekday=1`` and
    ``hour=0`` make it due at once.
    """

    enabled: bool = Field(default=True, description="Whether the worker sends weekly digests at all.")
    weekday: int = Field(default=1, ge=1, le=7, description="ISO weekday it is due from (1 = Monday).")
    hour: int = Field(default=7, ge=0, le=23, description="Hour (local time) it is due from.")
    timezone: str = Field(default="America/Toronto", description="Montréal's time zone (IANA).")
    horizon_days: int = Field(default=14, ge=1, le=90, description="How far ahead activities are listed.")
    check_interval_s: float = Field(default=600.0, gt=0, description="How often the worker checks.")


class FollowUpSettings(BaseModel):
    """The follow-up reminders (``CONCERTO_FOLLOWUPS__CHECK_INTERVAL_S``): the notifications worker
    checks every ``check_interval_s`` which follow-ups are due or overdue (docs/notifications.md)."""

    enabled: bool = Field(default=True, description="Whether the worker sends follow-up reminders at all.")
    check_interval_s: float = Field(default=600.0, gt=0, description="How often the worker checks.")


class WatchdogSettings(BaseModel):
    """The stall watchdog of every faust worker (``CONCERTO_WATCHDOG__STALL_TIMEOUT_S`` and so on).

    See services/common/watchdog.py: records waiting on an assigned partition and
    no progress for ``stall_timeout_s`` is a stall; a record still being handled
    counts as progress until ``handler_timeout_s`` (a concertation round can take a
    minute, so that one is long).
    """

    enabled: bool = Field(default=True, description="Whether workers watch themselves for stalls.")
    check_interval_s: float = Field(default=10.0, gt=0, description="How often the worker checks.")
    stall_timeout_s: float = Field(
        default=30.0, gt=0, description="Records waiting this long without progress is a stall."
    )
    handler_timeout_s: float = Field(
        default=900.0, gt=0, description="A single record handled longer than this is a stall."
    )
    recover_in_process: bool = Field(
        default=True,
        description="Try to restart consumption in process once before exiting with status 75.",
    )


class ClockSettings(BaseModel):
    """The offset of a pinned clock, exported by the process that pinned it (services/common/clock.py)."""

    offset_s: float | None = Field(
        default=None, description="Seconds added to the real time (set by make demo, make up, the tests)."
    )


class WebSettings(BaseModel):
    """The web service (``CONCERTO_WEB__PUBLIC_URL`` and so on): services/web, docs/web.md."""

    public_url: str = Field(
        default="http://127.0.0.1:8004", description="Where people reach the web service: links in emails."
    )
    matching_url: str = Field(
        default="http://127.0.0.1:8003", description="matching-api, as the web calls it."
    )
    link_ttl_s: int = Field(default=15 * 60, gt=0, description="How long an emailed link stays valid.")
    page_link_ttl_s: int = Field(
        default=30 * 24 * 3600,
        gt=0,
        description="How long the link in a notification email to a person's page stays valid "
        "(it never signs in by itself: services/common/page_links.py).",
    )
    session_ttl_s: int = Field(default=8 * 3600, gt=0, description="How long a signed-in session lasts.")
    api_token_ttl_s: int = Field(
        default=120,
        gt=0,
        description="Lifetime of the token the web mints for each call it makes for a user.",
    )
    # Rate limits of the forms that email a link (limits syntax). Per client generous: a hub's
    # office or a fair's kiosk registers many people from one address.
    signin_limit_per_address: str = Field(
        default="5/15 minutes", description="Sign-in links asked for one address."
    )
    signin_limit_per_client: str = Field(
        default="30/15 minutes", description="Sign-in links asked from one client (IP address)."
    )
    register_limit_per_address: str = Field(
        default="3/hour", description="Registrations sent for one address."
    )
    register_limit_per_client: str = Field(
        default="30/hour", description="Registrations sent from one client (IP address)."
    )


class Settings(BaseSettings):
    """Every Concerto process's settings; services read only the parts they need."""

    model_config = SettingsConfigDict(env_prefix="CONCERTO_", env_nested_delimiter="__", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    kafka: KafkaSettings = KafkaSettings()
    provisioner: ProvisionerSettings = ProvisionerSettings()
    smtp: SmtpSettings = SmtpSettings()
    matching: MatchingSettings = MatchingSettings()
    auth: AuthSettings = AuthSettings()
    digest: DigestSettings = DigestSettings()
    followups: FollowUpSettings = FollowUpSettings()
    hub: HubSettings = HubSettings()
    watchdog: WatchdogSettings = WatchdogSettings()
    web: WebSettings = WebSettings()
    log_format: Literal["json", "console"] = "console"
    log_level: str = "INFO"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=0, le=65535)
    http_max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="An API refuses a larger request body with 413, before reading it.",
    )
    data_dir: str = Field(default="var", description="Where workers keep local state (faust tables).")
    max_activities_per_day: int = Field(
        default=3, ge=1, description="At most K regional recruitment activities per day in Montréal."
    )
    worker_partitions_hint: int = Field(default=4, ge=1)
    today: date | None = Field(
        default=None, description="Pin the date (Montréal), keeping the real time of day: CONCERTO_TODAY."
    )
    now: datetime | None = Field(
        default=None, description="Pin the instant (ISO 8601; naive = Montréal time): CONCERTO_NOW."
    )
    clock: ClockSettings = ClockSettings()

    @model_validator(mode="after")
    def _broker_credentials_outside_development(self) -> Settings:
        """Outside development a process says who it is at the broker: no default credentials."""
        kafka = self.kafka
        if self.environment == "production" and not (
            kafka.username
            and (kafka.password or kafka.password_file)
            and kafka.security_protocol == "SASL_SSL"
        ):
            raise ValueError(
                "CONCERTO_KAFKA__USERNAME and CONCERTO_KAFKA__PASSWORD(_FILE) over SASL_SSL "
                "are required in production"
            )
        return self

    def build_clock(self) -> SystemClock:
        """The clock of this process: the real one, or the one pinned by ``now``, ``today`` or a parent."""
        return SystemClock(pinned_offset(offset_s=self.clock.offset_s, now=self.now, today=self.today))
