"""The kiosk's configuration: one TOML file parsed into frozen, validated objects.

Every default lives here and suits a Raspberry Pi with a Camera Module and the documented wiring.
"""

from kiosk.config.conduct import (
    ExpressionConfig,
    GesturesConfig,
    GreetingConfig,
    StiffnessConfig,
)
from kiosk.config.fleet import MqttConfig
from kiosk.config.live import (
    CueConfig,
    CuesConfig,
    LedsConfig,
    NudgesConfig,
    PauseConfig,
    PresenceConfig,
    SignalsConfig,
)
from kiosk.config.load import config_from_dict, default_toml, load_config
from kiosk.config.measure import (
    CameraConfig,
    CustomerConfig,
    EyeContactConfig,
    FacingConfig,
    ImpatienceConfig,
    LeanConfig,
    NodsConfig,
    PointingConfig,
    TrackerConfig,
)
from kiosk.config.root import Config
from kiosk.config.service import CounterConfig, DashboardConfig, ShiftsConfig, StorageConfig

__all__ = [
    "CameraConfig",
    "Config",
    "CounterConfig",
    "CueConfig",
    "CuesConfig",
    "CustomerConfig",
    "DashboardConfig",
    "ExpressionConfig",
    "EyeContactConfig",
    "FacingConfig",
    "GesturesConfig",
    "GreetingConfig",
    "ImpatienceConfig",
    "LeanConfig",
    "LedsConfig",
    "MqttConfig",
    "NodsConfig",
    "NudgesConfig",
    "PauseConfig",
    "PointingConfig",
    "PresenceConfig",
    "ShiftsConfig",
    "SignalsConfig",
    "StiffnessConfig",
    "StorageConfig",
    "TrackerConfig",
    "config_from_dict",
    "default_toml",
    "load_config",
]
