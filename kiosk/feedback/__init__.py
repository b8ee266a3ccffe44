"""Feedback to the agent: LED cues and the status LED (`leds`), and the pause button (`button`).

Submodules import gpiozero only when a GPIO backend is built, so the console and tests stay light.
"""
