from luoshi_kit.settings import KitSettings


class SupervisionSettings(KitSettings):
    service_name: str = "supervision"
    # --- inspections and rectification (督查, 整改; see burden/rules.py and rectifications/rules.py) ---
    evidence_max_bytes: int = 5 * 1024 * 1024
    """督查证据附件上限 (bytes); the types allowed are in inspections/evidence.py."""
    routine_cap_per_year: int = 4
    """每个单位每年常规督查上限 (暗访, 线索驱动和再督查除外); doubled while its frequency is raised."""
    routine_interval_days: int = 180
    """常规督查间隔 (days); while a unit's frequency is raised it is divided by frequency_factor."""
    frequency_factor: int = 2
    frequency_raised_days: int = 365
    """整改驳回或超期: 增加督查频次 for this many days (the interval halves, the cap doubles)."""
    reinspection_working_days: int = 10
    """再督查 is planned within this many working days of the rejection or the overdue day."""
    report_cadence_working_days: int = 10
    """整改驳回或超期后, the unit reports progress to its government every this many working days."""
    rectification_scan_seconds: float = 300.0
    representatives_max_per_year: int = 2
    representatives_due: str = "09-30"
    """两代表一委员: a government without one by this day of the year (MM-DD) is flagged."""
    # Urges (催办) and supervision orders (督办): answer windows in working hours (09:00–17:00 on working
    # days), and how often the escalation scan looks for unanswered ones.
    urge_answer_working_hours: float = 24.0  # 催办: three working days
    order_answer_working_hours: float = 16.0  # 督办: two working days
    escalation_answer_working_hours: float = 16.0  # each step up the chain gets two working days
    urge_scan_seconds: float = 300.0
    # Public clues (线索): submissions accepted per client address per hour (LUOSHI_CLUE_RATE_PER_HOUR).
    clue_rate_per_hour: int = 10
