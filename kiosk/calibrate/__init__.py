"""`kiosk calibrate`: the installer's checks and measurements at the counter.

Each command looks (camera, LEDs, sensors, the shift database), prints what it found and the
settings it would write, and writes them into the config file only with `--write` (keeping a
backup). Frames stay in memory: only numbers come out.
"""
