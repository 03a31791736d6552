"""The checked-in JSON Schemas and AsyncAPI document match what proto/ generates today."""

from luoshi_proto import generate


def test_generated_contract_files_are_up_to_date() -> None:
    stale = [str(path.relative_to(generate.PROTO_DIR.parent)) for path in generate.check()]
    assert not stale, f"stale generated files {stale}: run `uv run python -m luoshi_proto.generate`"
