"""Administrative divisions, handling units, categories, responsibilities and users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.column_types import UtcDateTime
from storage.tables.base import Base


class DivisionRow(Base):
    """区划: district (区县), street/town (街道/镇) and community (社区/村)."""

    __tablename__ = "divisions"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))  # district | street | community
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("divisions.code"), index=True, default=None
    )


class UnitRow(Base):
    """承办单位 (handling unit)."""

    __tablename__ = "units"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # core.units.UnitKind values
    district: Mapped[str] = mapped_column(String(64), default="", index=True)
    division_code: Mapped[str | None] = mapped_column(
        ForeignKey("divisions.code"), index=True, default=None
    )
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"), default=None)
    duty_phone: Mapped[str | None] = mapped_column(String(32), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CategoryRow(Base):
    """诉求分类. ``sla_class`` picks the time-limit row (emergency/utility/general/…)."""

    __tablename__ = "categories"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("categories.code"), default=None)
    sla_class: Mapped[str] = mapped_column(String(16), default="general")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ResponsibilityRow(Base):
    """责任清单 row: for this category in this territory (district name or ``*``), this unit
    (an id, or ``@street``/``@district`` = the place's street office / district government)
    takes this role (lead/assist/copy)."""

    __tablename__ = "responsibilities"
    __table_args__ = (UniqueConstraint("category_code", "territory", "unit_ref"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"), index=True)
    territory: Mapped[str] = mapped_column(String(64), default="*")
    unit_ref: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16))
    basis: Mapped[str] = mapped_column(Text, default="")


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"), default=None)
    # Entitled to see the appellant's unmasked name/phone (e.g. a unit's designated handler).
    sees_personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
