"""The type checker sees across packages: mypy, run with the project's configuration on
``wrong_call.py``, reports every planted wrong call and reveals real types (not ``Any``) for
first-party names. It fails if a configuration change makes first-party imports ``Any`` again."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parents[2]
PLANTED = Path(__file__).with_name("wrong_call.py")
REPORT = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+): (?P<kind>error|note): (?P<text>.*?)(?:  \[(?P<code>[a-z-]+)\])?$"
)
REVEALED = re.compile(r'^Revealed type is "(?P<type>.*)"$')


EXPECT = re.compile(r"^    \S.*  # expect: (?P<value>[a-z-]+)$")  # code lines of planted(), not the docstring
REVEAL = re.compile(r"^    reveal_type\(.*\)  # reveal: (?P<value>.+)$")


def _marked(marker: re.Pattern[str]) -> dict[int, str]:
    """Line number → the marker's value, for each line of wrong_call.py that carries it."""
    lines = PLANTED.read_text(encoding="utf-8").splitlines()
    return {n: m["value"] for n, line in enumerate(lines, start=1) if (m := marker.match(line)) is not None}


@pytest.fixture(scope="module")
def report(monkeypatch_module: pytest.MonkeyPatch) -> list[re.Match[str]]:
    monkeypatch_module.chdir(ROOT)  # the configuration's paths are relative to the repository root
    stdout, stderr, _status = api.run(["--config-file", str(ROOT / "pyproject.toml"), str(PLANTED)])
    assert not stderr, stderr
    lines = [REPORT.match(line) for line in stdout.splitlines()]
    return [m for m in lines if m is not None and Path(m["path"]).resolve() == PLANTED]


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_every_planted_wrong_call_is_reported(report: list[re.Match[str]]) -> None:
    expected = set(_marked(EXPECT).items())
    assert len(expected) >= 7
    reported = {(int(m["line"]), m["code"]) for m in report if m["kind"] == "error"}
    assert expected - reported == set(), f"mypy no longer reports these planted errors: {expected - reported}"
    assert reported - expected == set(), (
        f"errors in wrong_call.py that are not planted: {reported - expected}"
    )


def test_first_party_names_have_real_types(report: list[re.Match[str]]) -> None:
    expected = _marked(REVEAL)
    assert len(expected) >= 5
    revealed = {
        int(m["line"]): found["type"]
        for m in report
        if m["kind"] == "note" and (found := REVEALED.match(m["text"])) is not None
    }
    for line, type_name in expected.items():
        assert line in revealed, f"no reveal_type on line {line}"
        assert type_name in revealed[line], f"line {line}: {revealed[line]!r} is not {type_name!r}"
        assert not re.search(r"\bAny\b", revealed[line]), f"line {line} reveals Any: {revealed[line]!r}"
