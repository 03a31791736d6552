from luoshi_kit.settings import KitSettings


class ScoringSettings(KitSettings):
    service_name: str = "scoring"
