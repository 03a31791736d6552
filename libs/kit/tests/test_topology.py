from luoshi_kit.messaging.topology import DEAD_LETTER_EXCHANGE, queue_specs, rabbitmq_definitions
from luoshi_proto.registry import EVENT_TYPES


def test_every_consuming_queue_is_quorum_with_dead_lettering() -> None:
    for spec in queue_specs(7):
        assert spec.arguments["x-queue-type"] == "quorum"
        assert spec.arguments["x-delivery-limit"] == 7
        assert spec.arguments["x-dead-letter-exchange"] == DEAD_LETTER_EXCHANGE


def test_every_binding_names_a_known_event_type() -> None:
    prefixes = {t.rsplit(".", 1)[0] for t in EVENT_TYPES} | set(EVENT_TYPES)
    for binding in rabbitmq_definitions()["bindings"]:
        if binding["source"] == DEAD_LETTER_EXCHANGE:
            continue
        head = binding["routing_key"].removesuffix(".#")
        assert any(t.startswith(head) for t in prefixes), binding


def test_each_queue_has_a_dead_letter_queue_bound() -> None:
    definitions = rabbitmq_definitions()
    queues = {q["name"] for q in definitions["queues"]}
    dlx_bindings = {
        (b["destination"], b["routing_key"])
        for b in definitions["bindings"]
        if b["source"] == DEAD_LETTER_EXCHANGE
    }
    for spec in queue_specs():
        assert spec.dead_letter_queue in queues
        assert (spec.dead_letter_queue, spec.arguments["x-dead-letter-routing-key"]) in dlx_bindings
