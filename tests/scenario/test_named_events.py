"""The library of named stress events (``outage-30d:acme``) in YAML and on the command line.

* Every name of :data:`NAMED_EVENTS` expands to the documented long form, exactly.
* Without ``@DAY`` an event starts at the end of the scenario's warm-up.
* A named event simulates exactly like the same event written in the long form.
* Mistakes are ``FILE:LINE: path: message`` errors (YAML) or ``--event`` errors (CLI), exit 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import jitsim
from jitsim import cli
from jitsim.errors import JitsimError, ScenarioError
from jitsim.execution.simulate import simulate
from jitsim.scenario.disruptions import NAMED_EVENTS, event_key, named_event

SCENARIO = """
name: shop
run: {horizon_days: 120, warmup_days: 20, seed: 5}
items:
  widget: {unit_cost: 10.0, price: 20.0}
suppliers:
  acme: {items: [widget], lead_time: 3, defect_rate: 0.02}
stock_points:
  store: {item: widget, source: acme, initial: 40, policy: {kind: s_S, s: 15, S: 40}}
customers:
  walk_in: {buys_from: store, demand: {kind: poisson, mean: 4}}
"""


def with_events(events: str) -> str:
    return SCENARIO + "disruptions:\n" + "".join(f"  {line}\n" for line in events.splitlines())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "outage-30d:acme@100",
            {"kind": "outage", "nodes": ["acme"], "windows": [{"start": 100.0, "days": 30.0}]},
        ),
        (
            "lead-time-x2-60d:acme,bolt@5",
            {
                "kind": "lead_time_shock",
                "nodes": ["acme", "bolt"],
                "multiplier": 2.0,
                "windows": [{"start": 5.0, "days": 60.0}],
            },
        ),
        (
            "lead-time-plus10d-30d:acme@0",
            {
                "kind": "lead_time_shock",
                "nodes": ["acme"],
                "add_days": 10.0,
                "windows": [{"start": 0.0, "days": 30.0}],
            },
        ),
        (
            "demand-surge-50pct-28d:shop@7.5",
            {
                "kind": "demand_surge",
                "nodes": ["shop"],
                "multiplier": 1.5,
                "windows": [{"start": 7.5, "days": 28.0}],
            },
        ),
        (
            "demand-drop-30pct-14d:shop@1",
            {
                "kind": "demand_surge",
                "nodes": ["shop"],
                "multiplier": 0.7,
                "windows": [{"start": 1.0, "days": 14.0}],
            },
        ),
        (
            "quality-crisis-x5-14d:plant@3",
            {
                "kind": "quality_crisis",
                "nodes": ["plant"],
                "multiplier": 5.0,
                "windows": [{"start": 3.0, "days": 14.0}],
            },
        ),
        (
            "stock-loss-50pct:store@200",
            {"kind": "stock_loss", "nodes": ["store"], "fraction": 0.5, "at": [200.0]},
        ),
    ],
)
def test_named_event_expands_to_the_long_form(text: str, expected: dict) -> None:
    assert named_event(text) == expected


def test_every_documented_example_parses_and_is_in_the_docs() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "disruptions.md").read_text(encoding="utf-8")
    for pattern, _meaning, example in NAMED_EVENTS:
        named_event(example)
        assert f"`{pattern}`" in docs, pattern


@pytest.mark.parametrize(
    "text",
    ["outage-30:acme", "outage-30d", "outage-30d:", "outage-30d:acme@", "flood-3d:acme", "x"],
)
def test_malformed_names_are_rejected_with_the_library(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a named stress event.*outage-<D>d"):
        named_event(text)


def test_default_start_is_the_end_of_warmup() -> None:
    scenario = jitsim.load_scenario_text(with_events("strike: outage-10d:acme"))
    (window,) = scenario.disruptions["strike"].windows
    assert (window.start, window.days) == (20.0, 10.0)


def test_named_event_simulates_like_its_long_form() -> None:
    named = jitsim.load_scenario_text(
        with_events("strike: outage-15d:acme@30\nrush: demand-surge-50pct-10d:walk_in@60")
    )
    long = jitsim.load_scenario_text(
        with_events(
            "strike: {kind: outage, nodes: [acme], windows: [{start: 30, days: 15}]}\n"
            "rush: {kind: demand_surge, nodes: [walk_in], multiplier: 1.5, "
            "windows: [{start: 60, days: 10}]}"
        )
    )
    assert named == long
    a = simulate(named, "base", 3, 11).kpis
    b = simulate(long, "base", 3, 11).kpis
    assert a == b
    assert a["acme.downtime_days"] == 15.0


def test_yaml_mistakes_name_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        with_events("strike: outage-30:acme\nrush: demand-surge-50pct-28d:nobody"),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        jitsim.load_scenario(path)
    text = str(caught.value)
    assert f"{path}:13: disruptions.strike: 'outage-30:acme' is not a named stress event" in text
    assert f"{path}:14: disruptions.rush.nodes.0: unknown customer 'nobody'" in text


def test_event_key_is_a_valid_name() -> None:
    assert event_key("outage-30d:acme,bolt@100.5") == "outage-30d-acme-bolt-100-5"
    assert event_key("") == "event-"


runner = CliRunner()


def test_cli_event_adds_the_event(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        cli.app,
        [
            "run",
            str(path),
            "-n",
            "3",
            "-q",
            "--backend",
            "serial",
            "--out",
            str(out),
            "--event",
            "outage-30d:acme@40",
        ],
    )
    assert result.exit_code == 0, result.output
    table = (out / "replications.csv").read_text(encoding="utf-8").splitlines()
    header = table[0].split(",")
    downtime = [float(row.split(",")[header.index("acme.downtime_days")]) for row in table[1:]]
    assert downtime == [30.0, 30.0, 30.0]
    summary = (out / "summary.json").read_text(encoding="utf-8")
    assert "--event=outage-30d:acme@40" in summary


@pytest.mark.parametrize(
    ("event", "fragment"),
    [
        ("outage-3:acme", "--event: 'outage-3:acme' is not a named stress event"),
        ("outage-30d:nobody", "--event: disruptions.outage-30d-nobody.nodes.0: unknown"),
        ("demand-surge-50pct-7d:acme", "demand_surge applies to customers; 'acme' is a supplier"),
    ],
)
def test_cli_event_mistakes_exit_2(tmp_path: Path, event: str, fragment: str) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    result = runner.invoke(
        cli.app, ["run", str(path), "-n", "2", "-q", "--out", str(tmp_path / "o"), "--event", event]
    )
    assert result.exit_code == 2
    assert fragment in result.output
    assert "Traceback" not in result.output


def test_two_events_with_the_same_key_are_both_kept(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        cli.app,
        [
            *("run", str(path), "-n", "2", "-q", "--backend", "serial", "--out", str(out)),
            *("--event", "lead-time-plus1d-3d:acme@40", "--event", "lead-time-plus1d-3d:acme@40"),
        ],
    )
    assert result.exit_code == 0, result.output
    resolved = (out / "scenario.resolved.yaml").read_text(encoding="utf-8")
    assert "lead-time-plus1d-3d-acme-40:" in resolved
    assert "lead-time-plus1d-3d-acme-40-2:" in resolved


def test_a_run_with_events_resumes_from_the_directory_alone(tmp_path: Path) -> None:
    """The events are part of the scenario's identity: --resume DIR takes them from the
    recorded command."""
    from jitsim.cli.settings import load_with_events

    path = tmp_path / "shop.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "out"
    events = ["outage-10d:acme@40", "demand-surge-50pct-5d:walk_in@60"]
    scenario = load_with_events(path, events)

    class Stop(Exception):
        pass

    def interrupt(done: int, total: int) -> None:
        if done >= 2:
            raise Stop

    command = "jitsim run shop.yaml " + " ".join(f"--event={e}" for e in events)
    with pytest.raises(Stop):
        jitsim.run(
            scenario,
            replications=6,
            backend="serial",
            out=out,
            chunk_size=1,
            progress=interrupt,
            command=command,
        )
    result = runner.invoke(
        cli.app, ["run", str(path), "--resume", str(out), "-q", "--backend", "serial"]
    )
    assert result.exit_code == 0, result.output
    table = (out / "replications.csv").read_text(encoding="utf-8").splitlines()
    assert len(table) == 1 + 6
    assert "outage-10d-acme-40.first_shortfall_day" in table[0]


def test_default_start_with_run_settings_given_as_a_model() -> None:
    from jitsim.scenario.models import RunSettings

    data = jitsim.load_scenario_text(SCENARIO).model_dump(mode="python")
    data["run"] = RunSettings(horizon_days=120, warmup_days=20, seed=5)
    data["disruptions"] = {"strike": "outage-10d:acme"}
    scenario = jitsim.Scenario.model_validate(data)
    assert scenario.disruptions["strike"].windows[0].start == 20.0


def test_test_event_mistakes_name_the_option() -> None:
    scenario = jitsim.load_scenario_text(SCENARIO)
    with pytest.raises(JitsimError, match=r"--test-event 'outage-5d:nobody': nodes\.0: unknown"):
        jitsim.stress(scenario, events=["outage-5d:nobody"], backend="serial")
