from pydantic import Field

from luoshi_kit.settings import KitSettings


class GatewaySettings(KitSettings):
    service_name: str = "gateway"
    jwt_secret: str = Field(default="", repr=False)
    access_token_minutes: int = 30
    tasking_url: str = "http://127.0.0.1:8001"
    supervision_url: str = "http://127.0.0.1:8002"
    scoring_url: str = "http://127.0.0.1:8003"
    notification_url: str = "http://127.0.0.1:8004"
    proxy_timeout_seconds: float = 30.0
    # The views' consumer (dashboards, timelines) costs 3.8 ms for one event alone and 0.3 ms each in a
    # batch of 50: at a few hundred writes a second, waiting 50 ms for a batch to fill pays for itself.
    consumer_linger_seconds: float = 0.05
    refresh_token_days: int = 14
    # Lock-out (auth/throttle.py): this many failed sign-ins of one account from one address within the
    # window lock it there for lockout_seconds, doubling with each further lock up to lockout_max_seconds;
    # lockout_address_max_failures failures from one address (any accounts) lock the address alike.
    lockout_max_failures: int = 5
    lockout_address_max_failures: int = 20
    lockout_window_seconds: int = 15 * 60
    lockout_seconds: int = 15 * 60
    lockout_max_seconds: int = 24 * 3600
    # How long current_user trusts what it looked up (person state, deny-list); 0 turns the cache off.
    auth_cache_seconds: float = 5.0
    # Machine clients (clients/): their access tokens' lifetime, and the audience a signed client assertion
    # may name besides the token endpoint's URL (RFC 7523).
    machine_token_minutes: int = 15
    token_audience: str = "luoshi"
    oidc_issuer: str = ""
    oidc_jwks_url: str = ""
    oidc_audience: str = ""
    oidc_username_claim: str = "preferred_username"
    # 两代表一委员: a government with no representatives' inspection by this day (MM-DD) is flagged on the
    # supervision dashboard (the supervision service has the same setting for its own API).
    representatives_due: str = "09-30"

    def upstreams(self) -> dict[str, str]:
        return {
            "tasking": self.tasking_url,
            "supervision": self.supervision_url,
            "scoring": self.scoring_url,
            "notification": self.notification_url,
        }
