"""Settings (pydantic-settings). Env prefix ``HOTLINE_``, nested with ``__``.

Examples: ``HOTLINE_DATABASE__URL=postgresql+psycopg://…``, ``HOTLINE_REDIS__URL=redis://…``,
``HOTLINE_AMI__SECRET=…``. Nothing is constructed at import: build ``Settings()`` in ``main``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-change-me"  # noqa: S105 - a known default that is refused outside dev


class DatabaseSettings(BaseModel):
    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL. Empty: SQLite file hotline.db in the data directory.",
    )
    echo: bool = False
    pool_size: int = 10


class RedisSettings(BaseModel):
    url: str | None = Field(
        default=None,
        description="redis://host:port/db. Empty: in-process bus and live state (embedded mode).",
    )
    prefix: str = Field(
        default="hotline:", description="Key/channel prefix, so deployments can share a Redis."
    )


class ApiSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    token_ttl_minutes: int = 12 * 60
    order_number_prefix: str = Field(
        default="XA", description="Prefix of work-order numbers (工单编号), e.g. XA20261121000001."
    )
    cors_origins: list[str] = Field(default_factory=list)


class AmiSettings(BaseModel):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 5038
    username: str = "hotline"
    secret: SecretStr = SecretStr(DEV_SECRET)
    queue_log_path: Path | None = None
    resync_interval_s: float = 60.0
    ping_interval_s: float = 10.0
    auth: Literal["plain", "md5"] = "md5"  # md5: Challenge/Key, the secret never crosses the wire
    login_timeout_s: float = 5.0
    action_timeout_s: float = 10.0
    queue_maxsize: int = 10_000  # bridge consumer queue; overflow → counted + data-gap marker
    queue: str = "hotline"
    callback_context: str = Field(
        default="hotline-callback-out",
        description="Dialplan context that dials the citizen (exten = number) once the "
        "agent's leg of a callback (回电) answered.",
    )


class AsrSettings(BaseModel):
    model_path: Path | None = Field(
        default=None, description="Vosk model directory. Empty: first model found under models/."
    )
    models_dir: Path = Field(default=Path("models"), description="Where `models fetch` unpacks.")
    audiosocket_host: str = "127.0.0.1"
    audiosocket_port: int = 9092
    workers: int = 2
    queue_ms: int = Field(default=5000, description="Audio buffered per stream before dropping.")
    partial_interval_ms: int = 300
    tap_context: str = Field(default="asr-tap", description="Dialplan context of the tap.")
    tap_spy_options: str = Field(default="qESo", description="ChanSpy options (o: one voice).")


class CalendarSettings(BaseModel):
    override_file: Path | None = Field(
        default=None, description="Operator override of holidays / make-up working days."
    )
    unknown_year: Literal["provisional", "refuse"] = Field(
        default="provisional",
        description="A deadline reaching a year with no official data: provisional = computed "
        "Mon–Fri (no holidays), marked on the order and recomputed when the data exists; "
        "refuse = the transition fails (HTTP 422 calendar.year_unsupported).",
    )
    weekend_only_fallback: bool = Field(
        default=False,
        description="Legacy: treat Mon–Fri of years with no data as official (logged; never "
        "marked provisional nor recomputed). Overrides unknown_year; prefer unknown_year.",
    )


class ClassifierSettings(BaseModel):
    model_dir: Path = Path("models/classifier")
    feedback_path: Path = Field(
        default=Path("var/classifier_feedback.jsonl"),
        description="Agent confirmations/corrections and 退单 as JSONL (train --include-feedback).",
    )


class IvrSettings(BaseModel):
    flow_file: Path | None = Field(
        default=None, description="IVR flow (YAML). Empty: ivr_flows/flows/default.yaml."
    )
    agi_host: str = "127.0.0.1"
    agi_port: int = 4573
    default_aht_s: float = Field(
        default=180.0,
        description="AHT for the estimated wait while the live queue document has no recent "
        "AHT yet (no call completed in the window, e.g. right after start).",
    )
    aht_window_calls: int = Field(
        default=20,
        ge=1,
        description="Recent AHT in the live queue document (written by the AMI bridge): mean "
        "talk + wrap-up of this many last completed calls per queue.",
    )
    aht_window_s: float = Field(
        default=7200.0,
        ge=0,
        description="Recent AHT: of those calls, only the ones completed within this many seconds "
        "count (0: no age limit).",
    )
    voicemail_spool: Path | None = Field(
        default=None,
        description="Asterisk's spool directory (the one holding voicemail/, e.g. "
        "/var/spool/asterisk) as this host sees it. Set: `run fastagi` re-imports messages the "
        "live paths missed every voicemail_sweep_interval_s. Empty: no sweep.",
    )
    voicemail_mailboxes: list[str] = Field(
        default_factory=lambda: ["12345@hotline"],
        description="Mailboxes (box@context, as in voicemail.conf) whose messages are citizens' "
        "appeals; the spool re-import reads only these.",
    )
    voicemail_sweep_interval_s: float = Field(
        default=300.0, gt=0, description="Seconds between two spool re-imports."
    )
    voicemail_settle_s: float = Field(
        default=120.0,
        ge=0,
        description="The spool re-import leaves messages that ended less than this many seconds "
        "ago to the live paths (FastAGI voicemail-done, AMI bridge).",
    )


class AutofillSettings(BaseModel):
    gazetteer_path: Path | None = Field(
        default=None,
        description="Gazetteer CSV (python -m autofill.gazetteer_build). Empty: the one shipped "
        "for `city` (core/reference/divisions_xian.csv for 西安市).",
    )
    area_code: str = Field(default="029", description="Added to 8-digit local phone numbers.")
    overlap_chars: int = Field(default=48, description="Text rescanned before each new segment.")
    category_every_chars: int = Field(
        default=40, description="Ask the classifier again after this much new transcript."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_",
        env_nested_delimiter="__",
        env_file=None,
        extra="forbid",
    )

    env: Literal["dev", "test", "prod"] = "dev"
    data_dir: Path = Path("var")
    log_level: str = "INFO"
    city: str = "西安市"
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    ami: AmiSettings = Field(default_factory=AmiSettings)
    asr: AsrSettings = Field(default_factory=AsrSettings)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    classifier: ClassifierSettings = Field(default_factory=ClassifierSettings)
    ivr: IvrSettings = Field(default_factory=IvrSettings)
    autofill: AutofillSettings = Field(default_factory=AutofillSettings)

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.env == "dev":
            return self
        bad = [
            name
            for name, secret in (
                ("api.secret_key", self.api.secret_key),
                ("ami.secret", self.ami.secret),
            )
            if secret.get_secret_value() == DEV_SECRET
        ]
        if self.ami.secret.get_secret_value() == DEV_SECRET and not self.ami.enabled:
            bad = [b for b in bad if b != "ami.secret"]
        if bad:
            raise ValueError(
                f"default secrets are refused when env={self.env!r}: set {', '.join(bad)} "
                "(HOTLINE_API__SECRET_KEY, HOTLINE_AMI__SECRET)"
            )
        return self

    @property
    def database_url(self) -> str:
        if self.database.url:
            return self.database.url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'hotline.db').resolve()}"
