from luoshi_kit.settings import KitSettings


class NotificationSettings(KitSettings):
    service_name: str = "notification"
