from luoshi_kit.settings import KitSettings


class SupervisionSettings(KitSettings):
    service_name: str = "supervision"
