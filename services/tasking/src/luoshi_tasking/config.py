from luoshi_kit.settings import KitSettings


class TaskingSettings(KitSettings):
    service_name: str = "tasking"
    # How often the 学习解读 deadlines are scanned (the task deadline scan's interval is an admin rule).
    document_scan_seconds: float = 300.0
