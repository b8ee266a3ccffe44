"""Behaviour signals: pure, time-driven state machines fed per-frame features and `t_s`.

Each returns plain values and timestamped events; none reads a clock or knows about a screen.
"""
