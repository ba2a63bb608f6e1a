"""Options shared by commands are declared once; a slip in a command's declaration fails early."""

from __future__ import annotations

from typing import Annotated

import pytest
import typer

from jitsim.cli import app
from jitsim.cli.options import PRECISION, BatchOptions, batch_command


def test_a_flag_given_twice_is_refused_when_the_command_is_declared() -> None:
    with pytest.raises(TypeError, match="--kpi is both 'kpi' and 'precision_kpi'"):

        @batch_command("kpi", *PRECISION)
        def clash(
            kpi: Annotated[list[str] | None, typer.Option("--kpi")] = None,
            *,
            options: BatchOptions,
        ) -> None: ...


def test_every_parameter_must_be_placed_in_the_help_order() -> None:
    with pytest.raises(TypeError, match=r"left_out=\['kpi'\]"):

        @batch_command("seed")
        def forgot(
            kpi: Annotated[str, typer.Option("--kpi")] = "x", *, options: BatchOptions
        ) -> None: ...


def test_shared_options_reach_the_command_as_one_object(invoke) -> None:

    seen: list[BatchOptions] = []

    @batch_command("seed", "replications")
    def probe(*, options: BatchOptions) -> None:
        seen.append(options)

    app.command("probe-test")(probe)
    try:
        assert invoke("probe-test", "--seed", 3, "-n", 5).exit_code == 0
    finally:
        app.registered_commands.pop()
    assert (seen[0].seed, seen[0].replications, seen[0].backend) == (3, 5, "processes")
