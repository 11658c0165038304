"""``python -m hotline …`` — one CLI, several roles. Each command group lives in
:mod:`hotline.commands` and is registered here (the one list to edit when adding one)."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="hotline",
    help="12345 热线 contact-centre backend.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# Each module exposes ``register(app: typer.Typer) -> None``.
COMMAND_MODULES: tuple[str, ...] = (
    "hotline.commands.core",
    "hotline.commands.classifier",
)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(app)


def main() -> None:
    _register_all()
    app()
