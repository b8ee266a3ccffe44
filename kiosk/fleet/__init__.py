"""Fleet publishing: each finished interaction's summary and the counter's status to the site's
MQTT broker, through an on-disk queue that outlives broker and kiosk restarts."""

from kiosk.fleet.mqtt import open_publisher
from kiosk.fleet.publisher import Publisher

__all__ = ["Publisher", "open_publisher"]
