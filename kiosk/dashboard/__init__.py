"""The supervisors' dashboard: Flask pages, a JSON API and /metrics over the shift database,
served by waitress on the LAN. It reads storage only."""

from kiosk.dashboard.app import create_app

__all__ = ["create_app"]
