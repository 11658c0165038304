"""The demo's PBX simulator gives the live queue document a real recent AHT: its
AgentComplete carries TalkTime like Asterisk's, and the reducer's mean over the last calls
equals the simulator's own record of those calls (its queue_log COMPLETE* lines) + wrap-up."""

from __future__ import annotations

from datetime import timedelta

from core.callsim import simulate
from core.handle_time import AhtWindow
from core.live import LiveReducer
from ivr_flows.queue_doc import parse_queue_doc
from telephony.ami_codec import AmiStreamParser
from telephony.sim.from_callsim import scenario_from_callsim
from telephony.sim.harness import START, model_config
from telephony.sim.pbx import Pbx
from telephony.translate import Translator
from tests.unit.test_live_state_reducer import Store

WINDOW = 20


def test_simulated_calls_give_the_live_document_a_real_aht() -> None:
    config, names = model_config(80, 4, seed=3)
    scenario = scenario_from_callsim(simulate(config), names)
    scenario.calls[:] = scenario.calls[:80]
    frames: list[tuple[float, str]] = []
    qlog: list[str] = []
    pbx: list[Pbx] = []
    pbx.append(
        Pbx(scenario, START.timestamp(), lambda f: frames.append((pbx[0].now, f)), qlog.append)
    )
    pbx[0].run_until(1e9)

    reducer, store = LiveReducer({"hotline": 3}, aht_window=AhtWindow(WINDOW, 0)), Store()
    translator, parser = Translator(), AmiStreamParser(expect_banner=False)
    for t, frame in frames:
        at = START + timedelta(seconds=t)
        for msg in parser.feed(frame.encode()):
            store.write(reducer.apply_all(translator.feed(msg, at)))
    assert parser.take_issues() == []

    talks = [int(line.split("|")[6]) for line in qlog if "|COMPLETE" in line]
    assert len(talks) > WINDOW  # the window is full and has evicted
    last = talks[-WINDOW:]
    doc = store.get("queues", "hotline")
    assert doc["aht_calls"] == WINDOW
    assert doc["aht_recent_s"] == (sum(last) + 3 * WINDOW) / WINDOW
    assert parse_queue_doc(doc, default_aht_s=180.0).aht_recent_s == doc["aht_recent_s"]
