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


@app.callback()
def _root() -> None:
    """12345 热线 contact-centre backend."""
    # A callback keeps typer in "group" mode even while only one command is registered,
    # so ``python -m hotline extract …`` never collapses into a bare single command.


# Each module exposes ``register(app: typer.Typer) -> None``.
COMMAND_MODULES: tuple[str, ...] = (
    "hotline.commands.core",
    "hotline.commands.classifier",
    "hotline.commands.extract",
    "hotline.commands.simulate",
    "hotline.commands.ivr",
    "hotline.commands.asr",
    "hotline.commands.roles",
    "hotline.commands.calls",
    "hotline.commands.config",
    "hotline.commands.calendar",
)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(app)


def main() -> None:
    _register_all()
    app()
