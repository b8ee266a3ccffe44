"""Rendered scenes with ground truth: a real photo re-posed frame by frame from a script."""
