from luoshi_kit.settings import KitSettings


class TaskingSettings(KitSettings):
    service_name: str = "tasking"
