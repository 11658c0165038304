"""Every ``HOTLINE_`` environment variable with its default and meaning, generated from the
:class:`hotline.settings.Settings` model (docs/operations.md embeds the output; a test keeps
them in sync)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from hotline.settings import Settings

BEGIN = "<!-- config-table:begin -->"
END = "<!-- config-table:end -->"


def _default(field: FieldInfo) -> str:
    if field.default_factory is not None:
        value: Any = field.default_factory()  # type: ignore[call-arg]
    else:
        value = field.default
    if isinstance(value, SecretStr):
        return "(dev placeholder; required outside dev)"
    if value is None:
        return "(empty)"
    if isinstance(value, Path):
        return f"`{value}`"
    if isinstance(value, list | dict | bool):
        return f"`{json.dumps(value)}`"
    return f"`{value}`"


def _rows(model: type[BaseModel], prefix: str) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        env = f"{prefix}{name.upper()}"
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows.extend(_rows(annotation, env + "__"))
            continue
        meaning = (field.description or MEANINGS.get(env, "")).replace("|", "\\|")
        rows.append((env, _default(field), meaning))
    return rows


def config_table() -> str:
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for env, default, meaning in _rows(Settings, "HOTLINE_"):
        lines.append(f"| `{env}` | {default} | {meaning} |")
    return "\n".join(lines) + "\n"


def embed(doc: str) -> str:
    """``doc`` with the text between the markers replaced by the current table."""
    head, _, rest = doc.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{config_table()}{END}{tail}"


# Meanings of the fields whose model carries no description (kept here, not in settings.py,
# so the settings module stays a plain model).
MEANINGS: dict[str, str] = {
    "HOTLINE_ENV": "dev / test / prod; outside dev the default secrets are refused.",
    "HOTLINE_DATA_DIR": "Data directory: SQLite file, simulator queue_log, var files.",
    "HOTLINE_LOG_LEVEL": "Python logging level of every process.",
    "HOTLINE_CITY": "City of the deployment (gazetteer, seed data).",
    "HOTLINE_DATABASE__ECHO": "Log every SQL statement (debugging).",
    "HOTLINE_DATABASE__POOL_SIZE": "Connection pool size (PostgreSQL).",
    "HOTLINE_API__HOST": "Interface the API listens on.",
    "HOTLINE_API__PORT": "API port (`demo --port`, `serve --port`).",
    "HOTLINE_API__SECRET_KEY": "JWT signing secret; must be set outside dev.",
    "HOTLINE_API__TOKEN_TTL_MINUTES": "Lifetime of an access token.",
    "HOTLINE_API__CORS_ORIGINS": "Origins allowed by CORS (JSON list).",
    "HOTLINE_AMI__ENABLED": "A real Asterisk is configured (then its secret must not be the "
    "default outside dev).",
    "HOTLINE_AMI__HOST": "Asterisk manager host (`run ami-bridge`).",
    "HOTLINE_AMI__PORT": "Asterisk manager port.",
    "HOTLINE_AMI__USERNAME": "manager.conf user.",
    "HOTLINE_AMI__SECRET": "manager.conf secret; must be set outside dev when AMI is enabled.",
    "HOTLINE_AMI__QUEUE_LOG_PATH": "Asterisk queue_log the bridge tails to reconcile gaps; "
    "empty: no reconciliation.",
    "HOTLINE_AMI__RESYNC_INTERVAL_S": "Periodic QueueStatus/CoreShowChannels resync.",
    "HOTLINE_AMI__PING_INTERVAL_S": "AMI Ping watchdog interval.",
    "HOTLINE_AMI__AUTH": "md5 (Challenge/Key, the secret never crosses the wire) or plain.",
    "HOTLINE_AMI__LOGIN_TIMEOUT_S": "Wait for the Login answer before retrying.",
    "HOTLINE_AMI__ACTION_TIMEOUT_S": "Wait for an action's answer.",
    "HOTLINE_AMI__QUEUE_MAXSIZE": "Bridge consumer queue; overflow is counted and becomes a "
    "data-gap marker.",
    "HOTLINE_AMI__QUEUE": "The hotline's Asterisk queue name.",
    "HOTLINE_ASR__AUDIOSOCKET_HOST": "AudioSocket server interface (`run asr-worker`).",
    "HOTLINE_ASR__AUDIOSOCKET_PORT": "AudioSocket server port (0: any free port).",
    "HOTLINE_ASR__WORKERS": "Decoding threads (Vosk releases the GIL).",
    "HOTLINE_ASR__PARTIAL_INTERVAL_MS": "Partial results at least this often during speech.",
    "HOTLINE_ASR__TAP_CONTEXT": "Dialplan context of the ChanSpy→AudioSocket tap.",
    "HOTLINE_ASR__TAP_SPY_OPTIONS": "ChanSpy options (o: one voice per tap).",
    "HOTLINE_CLASSIFIER__MODEL_DIR": "Trained classifier (metadata.json + pipeline); absent: "
    "no category/unit suggestions.",
    "HOTLINE_IVR__AGI_HOST": "FastAGI server interface (`run fastagi`).",
    "HOTLINE_IVR__AGI_PORT": "FastAGI server port (0: any free port).",
}
