from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.clock import ManualClock, ensure_aware
from core.errors import DomainError, InvalidTransitionError
from hotline.settings import Settings


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(datetime(2026, 10, 1, tzinfo=UTC))
    assert clock.now() == datetime(2026, 10, 1, tzinfo=UTC)
    clock.advance(timedelta(minutes=5))
    assert clock.now() == datetime(2026, 10, 1, 0, 5, tzinfo=UTC)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        ensure_aware(datetime(2026, 1, 1))


def test_domain_errors_carry_stable_codes() -> None:
    err = InvalidTransitionError("no", details={"allowed": ["sign"]})
    assert isinstance(err, DomainError)
    assert err.code == "work_order.invalid_transition"
    assert err.details == {"allowed": ["sign"]}


def test_default_secret_refused_outside_dev() -> None:
    with pytest.raises(ValueError, match="default secrets are refused"):
        Settings(env="prod")
    ok = Settings(env="prod", api={"secret_key": "s3cret-for-real"})
    assert ok.api.secret_key.get_secret_value() == "s3cret-for-real"


def test_nested_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_DATABASE__URL", "postgresql+psycopg://x@h/db")
    monkeypatch.setenv("HOTLINE_REDIS__URL", "redis://127.0.0.1:6379/0")
    s = Settings()
    assert s.database_url == "postgresql+psycopg://x@h/db"
    assert s.redis.url == "redis://127.0.0.1:6379/0"


def test_sqlite_default_in_data_dir(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path)
    assert s.database_url.startswith("sqlite+aiosqlite:///")
    assert s.database_url.endswith("hotline.db")
