"""Customer presence at the counter: raw readings from a sensor, a scenario or nothing at all.

When an interaction starts and ends is decided elsewhere; `sensors` only says who is there now.
"""
