"""Configuration of what is measured: the camera, the models and each behaviour signal."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.config.fields import setting


@dataclass(frozen=True)
class CameraConfig:
    source: str = setting(
        "picamera",
        'Where frames come from: "picamera" (Camera Module via picamera2), "usb:N" (OpenCV '
        'capture of /dev/videoN), "scene:NAME" (a built-in rendered scenario, see "kiosk scene '
        'list"), or a path to a video file, an image or a folder of images.',
    )
    width: int = setting(640, "Capture width in pixels.", min=64, max=4096)
    height: int = setting(480, "Capture height in pixels.", min=64, max=4096)
    fps: float = setting(
        15.0,
        "Frames per second to capture; also the timing of image folders unless --fps is given.",
        min=0.1,
        max=120.0,
    )
    hfov_deg: float = setting(
        66.0,
        "Horizontal field of view of the lens in degrees (Camera Module 3: 66, Module 3 Wide: "
        "102, Module 2: 62.2). Head pose uses it to build the camera matrix.",
        min=10.0,
        max=170.0,
    )
    stall_timeout_s: float = setting(
        5.0,
        "A live camera that delivers no frame for this long is reported as stopped.",
        min=0.5,
        max=120.0,
    )


@dataclass(frozen=True)
class TrackerConfig:
    face: bool = setting(True, "Run the face mesh with iris landmarks.")
    pose: bool = setting(True, "Run the body pose model (model_complexity 1, bundled).")
    hands: bool = setting(True, "Run the hand landmark model.")
    max_num_hands: int = setting(2, "Hands to track at most.", min=1, max=4)
    min_detection_confidence: float = setting(
        0.5, "Detector score below which nothing is reported.", min=0.0, max=1.0
    )
    min_tracking_confidence: float = setting(
        0.5, "Tracking score below which the detector runs again.", min=0.0, max=1.0
    )
    schedule: bool = setting(
        True,
        "Spend the models' time where the signals need it: the face every frame, the body at "
        "pose_interval_s, hands only when a wrist is raised above the counter or a hand was "
        "seen lately. false: every model on every frame (the naive cost, for comparison).",
    )
    threads: bool = setting(
        True,
        "With schedule: pose and hands run on their own threads beside the face, on the newest "
        "frame, and their landmarks are held until the next run. false: they run in the frame "
        "loop at their due frames (slower, but the same frames every time: tests, replays).",
    )
    pose_interval_s: float = setting(
        0.1,
        "With schedule: the body model runs at most this often (posture changes slowly; a body "
        "fault's nudge waits up to this long, plus the model's own time, to be seen).",
        min=0.0,
        max=5.0,
    )
    hands_hold_s: float = setting(
        1.0,
        "With schedule: after a hand was seen, the hand model keeps running this long.",
        min=0.0,
        max=30.0,
    )
    counter_line_y: float = setting(
        0.75,
        "With schedule: a wrist above this height in the image (0 = top, 1 = bottom) is raised "
        "above the counter, and the hand model runs.",
        min=0.0,
        max=1.0,
    )
    model_width: int = setting(
        640,
        "Frames wider than this are scaled down for the body and hand models, and the face "
        "model gets a crop around the last face at full resolution (iris detail survives).",
        min=160,
        max=4096,
    )
    max_faces: int = setting(
        3,
        "Faces the face mesh finds at most; the agent's is chosen among them and the others "
        "are dropped unmeasured (1 is cheaper but may follow a customer leaning in).",
        min=1,
        max=5,
    )
    agent_zone_left: float = setting(
        0.0,
        "The agent's face centre is right of this (0 = image left, 1 = right).",
        min=0.0,
        max=1.0,
    )
    agent_zone_right: float = setting(
        1.0,
        "The agent's face centre is left of this (0 = image left, 1 = right).",
        min=0.0,
        max=1.0,
    )
    agent_zone_top: float = setting(
        0.0,
        "The agent's face centre is below this (0 = image top, 1 = bottom).",
        min=0.0,
        max=1.0,
    )
    agent_zone_bottom: float = setting(
        1.0,
        "The agent's face centre is above this (0 = image top, 1 = bottom).",
        min=0.0,
        max=1.0,
    )
    agent_lost_s: float = setting(
        1.0,
        "The agent's face unseen this long, the largest face in the agent zone becomes the "
        "agent; until then no other face is measured.",
        min=0.0,
        max=30.0,
    )


@dataclass(frozen=True)
class CustomerConfig:
    yaw_deg: float = setting(
        0.0,
        "Where the customer's eyes are, seen from the agent, relative to the camera: degrees "
        "toward the image's right (calibration measures it; 0 = the customer sits behind the "
        "camera).",
        min=-90.0,
        max=90.0,
    )
    pitch_deg: float = setting(
        0.0,
        "The same, degrees upward: a camera on the counter below the customer's face is about +10.",
        min=-60.0,
        max=60.0,
    )
    gaze_cone_deg: float = setting(
        15.0,
        "A gaze within this angle of the customer's eyes counts as eye contact.",
        min=2.0,
        max=45.0,
    )
    facing_cone_deg: float = setting(
        20.0,
        "A torso (or head) turned less than this from the customer counts as facing them.",
        min=5.0,
        max=60.0,
    )


@dataclass(frozen=True)
class EyeContactConfig:
    stare_limit_s: float = setting(
        4.0,
        "An unbroken gaze longer than this is a stare (about 3 s of mutual gaze is comfortable).",
        min=1.0,
        max=60.0,
    )
    no_look_limit_s: float = setting(
        8.0,
        "Longer than this with the face visible and no glance at the customer is a no-look spell.",
        min=1.0,
        max=600.0,
    )
    min_break_s: float = setting(
        0.3,
        "A look away (or lost face) shorter than this does not break a gaze: blinks and jitter.",
        min=0.0,
        max=5.0,
    )
    iris_gain: float = setting(
        1.26,
        "The eye turn read from the iris's offset between the eye's corners is scaled by this: "
        "1.26 fits 8 real people looking at known targets (Pointing'04 photos); an eyeball of "
        "1.2 cm in a 3 cm eye would be 1.",
        min=0.5,
        max=3.0,
    )
    neutral_iris_right: float = setting(
        -0.007,
        "The agent's iris offset toward the image's right from the middle of the eye's corners, "
        "in eye widths, when looking at the camera (`kiosk calibrate customer-target` measures "
        "it; the default is the mean of real people).",
        min=-0.3,
        max=0.3,
    )
    neutral_iris_down: float = setting(
        -0.075,
        "The same, downward across the corner line (the iris sits a little above it: < 0).",
        min=-0.3,
        max=0.3,
    )


@dataclass(frozen=True)
class FacingConfig:
    head_only_min_s: float = setting(
        1.5,
        "Head toward the customer while the torso stays turned away this long is a head-only turn.",
        min=0.2,
        max=60.0,
    )
    square_on_width_cm: float = setting(
        0.0,
        "Calibrated apparent shoulder width of the agent facing the customer square-on "
        "(kiosk calibrate neutral-posture); 0 = learn it (the widest in the first minute).",
        min=0.0,
        max=100.0,
    )


@dataclass(frozen=True)
class LeanConfig:
    forward_cm: float = setting(
        3.0,
        "The head this much nearer the camera than neutral is leaning forward.",
        min=0.5,
        max=50.0,
    )
    back_cm: float = setting(
        4.0, "The head this much farther than neutral is leaning back.", min=0.5, max=50.0
    )
    baseline_s: float = setting(
        60.0,
        "Without a calibrated neutral, the median head distance over the first this many "
        "seconds of presence is neutral.",
        min=1.0,
        max=3600.0,
    )
    neutral_distance_cm: float = setting(
        0.0,
        "Calibrated head-to-camera distance of the agent's neutral posture; 0 = not calibrated.",
        min=0.0,
        max=500.0,
    )


@dataclass(frozen=True)
class NodsConfig:
    min_amplitude_deg: float = setting(
        3.0,
        "A nod dips the head at least this far below its resting pitch (twice as far when seen"
        " low on one frame only; while talking: talking_min_amplitude_deg).",
        min=1.0,
        max=45.0,
    )
    min_duration_s: float = setting(
        0.15, "A down-up shorter than this is jitter, not a nod.", min=0.05, max=2.0
    )
    max_duration_s: float = setting(
        1.2, "A dip longer than this is a look down, not a nod.", min=0.3, max=5.0
    )
    min_speed_deg_s: float = setting(
        20.0,
        "While the agent talks, a nod's depth over its width at half depth (deg/s) is at least"
        " this: real nods move 30-100 deg/s at their fastest (about 19-64 by this measure, less"
        " as the face mesh reads them shallow), the pitch beats of speech 10-20 (6-13).",
        min=0.0,
        max=200.0,
    )
    talking_min_amplitude_deg: float = setting(
        6.0,
        "While the agent talks (the mouth moving), a nod dips the head at least this far: the"
        " head beats of speech are 3-5 degrees over 0.5-1.5 s, a clear nod deeper.",
        min=1.0,
        max=45.0,
    )
    talking_mouth_range: float = setting(
        0.04,
        "The agent talks while the lips' inner gap (in eye spans) has varied at least this much"
        " within talking_window_s: speech opens and closes it by 0.05-0.3 several times a"
        " second; a still mouth varies by the face mesh's jitter, under 0.01.",
        min=0.005,
        max=1.0,
    )
    talking_window_s: float = setting(
        1.0,
        "The mouth's movement is judged over this long (speech opens it 3-5 times a second).",
        min=0.2,
        max=5.0,
    )
    talking_hold_s: float = setting(
        0.75,
        "Talking is taken to go on this long once fewer than two swings of the mouth remain"
        " within talking_window_s (pauses between words).",
        min=0.0,
        max=5.0,
    )
    rest_tau_s: float = setting(
        1.0,
        "Time constant of the resting pitch that dips are measured from (rejects slow drift).",
        min=0.2,
        max=10.0,
    )
    train_gap_s: float = setting(
        1.0, "Nods closer together than this belong to one train.", min=0.2, max=5.0
    )
    impatient_min_nods: int = setting(
        3, "A train of at least this many nods can be impatient.", min=2, max=50
    )
    impatient_rate_hz: float = setting(
        1.5,
        "Retired (issue 17): a fast train was impatient, so a quick 'yes, yes, yes' was too. "
        "Continuous nodding is now continuous_limit_s, and a high rate is interaction_rate_hz.",
        min=0.2,
        max=5.0,
        retired="a fast train of nods is no longer impatient by its rate (a quick 'yes, yes, "
        "yes' is not); see [nods] continuous_limit_s and interaction_rate_hz",
    )
    interaction_rate_hz: float = setting(
        0.5,
        "Nodding this often (nods per second of face time) over an interaction, or since its"
        " last impatient bout, is impatient: far above a listener's occasional nod. A short"
        " fast burst ('yes, yes, yes') is not.",
        min=0.05,
        max=5.0,
    )
    rate_min_s: float = setting(
        20.0,
        "The nod rate of interaction_rate_hz is judged once the face has been seen this long.",
        min=5.0,
        max=600.0,
    )
    continuous_limit_s: float = setting(
        3.0,
        "A train of nods lasting at least this long is impatient (continuous nodding).",
        min=0.5,
        max=60.0,
    )


@dataclass(frozen=True)
class PointingConfig:
    min_hold_s: float = setting(
        0.3, "A pointing hand or open palm held this long is an event.", min=0.0, max=5.0
    )
    aim_cone_deg: float = setting(
        60.0,
        "A finger aimed within this angle of the customer points at them.",
        min=10.0,
        max=90.0,
    )


@dataclass(frozen=True)
class ImpatienceConfig:
    lean_back_min_s: float = setting(
        3.0, "Leaning back at least this long is a sign of impatience.", min=0.5, max=600.0
    )
    turn_away_min_s: float = setting(
        2.0, "Head and body turned away at least this long is a sign.", min=0.5, max=600.0
    )
    watch_check_min_s: float = setting(
        0.4, "A wrist raised and looked at this long is a watch check.", min=0.1, max=10.0
    )
    watch_checks_window_s: float = setting(
        60.0, "Two or more watch checks within this window is a sign.", min=5.0, max=3600.0
    )
    watch_gaze_cone_deg: float = setting(
        30.0,
        "A wrist held up is looked at when the gaze is within this angle of it.",
        min=10.0,
        max=60.0,
    )
