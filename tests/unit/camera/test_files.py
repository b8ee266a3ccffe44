import cv2
import numpy as np
import pytest

from kiosk.camera.files import ImageFileSource, ImageFolderSource, VideoFileSource, natural_key
from kiosk.camera.open import open_source
from kiosk.config import CameraConfig
from kiosk.errors import SourceError


def write_png(path, value):
    cv2.imwrite(str(path), np.full((48, 64, 3), value, dtype=np.uint8))


def write_video(path, frames, fps=20.0):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (64, 48))
    for i in range(frames):
        writer.write(np.full((48, 64, 3), (i * 10) % 256, dtype=np.uint8))
    writer.release()


def test_folder_is_read_in_natural_name_order_and_timed_at_fps(tmp_path):
    for name in ("frame_10.png", "frame_2.png", "frame_1.jpg", "notes.txt"):
        if name.endswith("txt"):
            (tmp_path / name).write_text("not an image")
        else:
            write_png(tmp_path / name, 100)
    frames = list(ImageFolderSource(tmp_path, fps=4.0))
    assert [f.file for f in frames] == ["frame_1.jpg", "frame_2.png", "frame_10.png"]
    assert [f.t_s for f in frames] == [0.0, 0.25, 0.5]
    assert [f.index for f in frames] == [0, 1, 2]


def test_frames_are_rgb(tmp_path):
    cv2.imwrite(
        str(tmp_path / "red.png"),
        np.dstack([np.zeros((8, 8)), np.zeros((8, 8)), np.full((8, 8), 255)]).astype(np.uint8),
    )
    (frame,) = ImageFileSource(tmp_path / "red.png", fps=10.0)
    assert tuple(frame.rgb[0, 0]) == (255, 0, 0)


def test_unreadable_image_in_a_folder_is_skipped_not_fatal(tmp_path):
    write_png(tmp_path / "a.png", 10)
    (tmp_path / "b.png").write_bytes(b"this is not a png")
    write_png(tmp_path / "c.png", 30)
    source = ImageFolderSource(tmp_path, fps=10.0)
    assert [f.file for f in source] == ["a.png", "c.png"]
    assert source.skipped == ["b.png"]


def test_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(SourceError, match="holds no images"):
        ImageFolderSource(tmp_path, fps=10.0)


def test_corrupt_single_image_is_a_clear_error(tmp_path):
    (tmp_path / "x.jpg").write_bytes(b"\xff\xd8 truncated")
    with pytest.raises(SourceError, match="not a readable image"):
        list(ImageFileSource(tmp_path / "x.jpg", fps=10.0))


def test_video_frames_are_timed_by_frame_number(tmp_path):
    write_video(tmp_path / "clip.avi", frames=10, fps=20.0)
    frames = list(VideoFileSource(tmp_path / "clip.avi"))
    assert len(frames) == 10
    assert [f.t_s for f in frames] == pytest.approx([i / 20.0 for i in range(10)])


def test_video_is_thinned_to_the_requested_fps(tmp_path):
    write_video(tmp_path / "clip.avi", frames=40, fps=20.0)
    frames = list(VideoFileSource(tmp_path / "clip.avi", fps=5.0))
    assert len(frames) == 10
    assert [f.t_s for f in frames] == pytest.approx([i * 0.2 for i in range(10)])
    assert [f.index for f in frames] == list(range(10))


def test_a_file_that_is_not_a_video_is_a_clear_error(tmp_path):
    (tmp_path / "clip.mp4").write_bytes(b"\x00" * 1000)
    with pytest.raises(SourceError):
        list(VideoFileSource(tmp_path / "clip.mp4"))


def test_open_source_picks_the_source_by_path_kind(tmp_path):
    camera = CameraConfig()
    write_png(tmp_path / "a.png", 1)
    write_video(tmp_path / "clip.avi", frames=2)
    assert isinstance(open_source(str(tmp_path), camera), ImageFolderSource)
    assert isinstance(open_source(str(tmp_path / "a.png"), camera), ImageFileSource)
    assert isinstance(open_source(str(tmp_path / "clip.avi"), camera), VideoFileSource)
    with pytest.raises(SourceError, match="usb:N"):
        open_source("usb:front", camera)


def test_natural_key_orders_numbers_by_value():
    assert sorted(["f10", "f9", "F1"], key=natural_key) == ["F1", "f9", "f10"]
