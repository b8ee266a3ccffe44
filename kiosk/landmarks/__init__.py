"""Landmarks: what the trackers see in a frame, as plain numpy values."""

from kiosk.landmarks.types import FaceLandmarks, HandLandmarks, Landmarks, PoseLandmarks

__all__ = ["FaceLandmarks", "HandLandmarks", "Landmarks", "PoseLandmarks"]
