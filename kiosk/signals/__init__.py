"""Behaviour signals: pure, time-driven state machines fed per-frame features and `t_s`; each
says what is going on now and reports events, and none reads a clock or knows about a screen."""
