"""Features: geometry computed from one frame's landmarks (head pose, ...). Pure numpy and cv2."""
