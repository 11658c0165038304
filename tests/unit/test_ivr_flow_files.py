"""Flow files: the shipped ones load; broken ones name file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr_flows.loader import FlowFileError, default_flow_path, load_flow, parse_flow

FLOWS = default_flow_path().parent
DEFAULT = default_flow_path().read_text(encoding="utf-8")


@pytest.mark.parametrize("path", sorted(FLOWS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_flows_are_valid(path: Path) -> None:
    assert load_flow(path).greeting.text


def test_default_flow_has_no_entry_menu_gbt_33358() -> None:
    flow = load_flow(default_flow_path())
    assert flow.menu is None
    assert flow.mode == "7x24"
    assert all(rule.menu for rule in flow.diversion)  # choices only when a rule fires


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def problems(text: str) -> list[tuple[int, str, str]]:
    with pytest.raises(FlowFileError) as info:
        parse_flow(text, "flows/broken.yaml")
    assert all(p.file == "flows/broken.yaml" for p in info.value.problems)
    assert info.value.code == "ivr.flow_invalid"
    return [(p.line, p.field, p.message) for p in info.value.problems]


# Each case: (edit to the default flow, line marker in the edited text, field, message part).
CASES = [
    ("ewt_over_s: 20}", "ewt_over_s: -3}", "ewt_over_s: -3", "diversion.1.when.ewt_over_s",
     "greater than 0"),
    ('"3": {action: online}', '"3": {action: onlne}', "action: onlne",
     "menus.busy.options.3.action", "Input should be"),
    ("timeout_s: 5\n    retries: 1\n    invalid", "timeout_s: 99\n    retries: 1\n    invalid",
     "timeout_s: 99", "menus.busy.timeout_s", "less than or equal to 30"),
    ("    menu: busy\n  - name: many", "    menu: bussy\n  - name: many", "menu: bussy",
     "diversion.1.menu", "unknown menu 'bussy'"),
    ("  in_greeting: false", "  in_greeting: false\n  colour: red", "colour: red",
     "emergency.colour", "Extra inputs"),
    ('"9": {action: emergency}\n      "0"', '"9": {action: menu}\n      "0"', '"9": {action: menu}',
     "menus.busy.options.9", "'menu' is required"),
    ("sound: hotline/greeting", "sound: hotline/greeting.wav", "hotline/greeting.wav",
     "greeting.sound", "no extension"),
    ("mode: 7x24", "mode: 24x7", "mode: 24x7", "mode", "Input should be"),
    ("timezone: Asia/Shanghai", "timezone: Mars/Olympus", "timezone: Mars", "timezone",
     "unknown time zone"),
    ("{link}", "{lnk}", "template:", "sms.template", "placeholder"),
    ('      "1": {action: queue}\n      "2"',
     '      "1": {action: queue}\n      "1": {action: voicemail}\n      "2"',
     '"1": {action: voicemail}', "menus.busy.options.1", "duplicate key"),
    ("    when: {no_agents: true}", "    when: {}", "when: {}", "diversion.0.when",
     "at least one test"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "marker", "field", "message"), CASES)
def test_broken_flow_names_line_and_field(
    old: str, new: str, marker: str, field: str, message: str
) -> None:
    assert old in DEFAULT
    text = DEFAULT.replace(old, new, 1)
    found = problems(text)
    assert any(f == field and message in m for _, f, m in found), found
    line = next(line for line, f, m in found if f == field and message in m)
    assert line == line_of(text, marker)


def test_yaml_syntax_error_has_its_line() -> None:
    text = DEFAULT.replace("queue: hotline", "queue: [hotline", 1)
    (found,) = problems(text)
    assert found[2].startswith("YAML:")
    assert found[0] >= line_of(text, "queue: [hotline")


def test_after_hours_rule_in_7x24_mode_is_flagged() -> None:
    text = DEFAULT.replace("when: {no_agents: true}", "when: {after_hours: true}", 1)
    line = line_of(text, "after_hours: true")
    assert problems(text) == [(line, "diversion.0.when.after_hours", "never true in 7x24 mode")]


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just text"])
def test_not_a_mapping(text: str) -> None:
    assert problems(text) == [(1, "", "a flow file is a YAML mapping")]


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(FlowFileError, match="cannot read"):
        load_flow(tmp_path / "missing.yaml")
