"""The web UI (Vue 3 + Element Plus) the gateway serves at ``/``; sources in ``services/gateway/web/``."""
