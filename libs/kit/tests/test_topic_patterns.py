import pytest

from luoshi_kit.messaging.inproc import pattern_to_regex


@pytest.mark.parametrize(
    ("pattern", "key", "matches"),
    [
        ("tasking.task.assigned.v1.#", "tasking.task.assigned.v1.52.01.02", True),
        ("tasking.task.assigned.v1.#", "tasking.task.assigned.v1.52", True),
        ("tasking.task.assigned.v1.#", "tasking.task.assigned.v2.52", False),
        ("tasking.task.#", "tasking.task.overdue.v1.52.01", True),
        ("*.*.*.*.52.01.#", "tasking.task.overdue.v1.52.01.02.001", True),
        ("*.*.*.*.52.01.#", "tasking.task.overdue.v1.52.01", True),
        ("*.*.*.*.52.01.#", "tasking.task.overdue.v1.52.02.01", False),
        ("*.task.*.v1.52", "tasking.task.closed.v1.52", True),
        ("*.task.*.v1.52", "tasking.task.closed.v1.52.01", False),
        ("#", "anything.at.all", True),
    ],
)
def test_amqp_topic_semantics(pattern: str, key: str, matches: bool) -> None:
    assert bool(pattern_to_regex(pattern).match(key)) is matches
