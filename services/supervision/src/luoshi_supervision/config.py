from luoshi_kit.settings import KitSettings


class SupervisionSettings(KitSettings):
    service_name: str = "supervision"
    # Urges (催办) and supervision orders (督办): answer windows in working hours (09:00–17:00 on working
    # days), and how often the escalation scan looks for unanswered ones.
    urge_answer_working_hours: float = 24.0  # 催办: three working days
    order_answer_working_hours: float = 16.0  # 督办: two working days
    escalation_answer_working_hours: float = 16.0  # each step up the chain gets two working days
    urge_scan_seconds: float = 300.0
    # Public clues (线索): submissions accepted per client address per hour (LUOSHI_CLUE_RATE_PER_HOUR).
    clue_rate_per_hour: int = 10
