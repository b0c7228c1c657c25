"""Labels and camera videos made by the tests: a parcel's Code 128 label, a notice's QR code, and a
.y4m video that shows them one after the other, for Chromium's fake camera."""
import io

import barcode
import segno
from barcode.writer import ImageWriter
from PIL import Image, ImageDraw

WIDTH, HEIGHT, FPS = 640, 480, 10


def code128_label(tracking_id):
    """A parcel label: the tracking ID as a Code 128 barcode with its text, black on white."""
    out = io.BytesIO()
    barcode.Code128(tracking_id, writer=ImageWriter()).write(
        out, {"module_width": 0.4, "module_height": 18, "quiet_zone": 6, "font_size": 8, "dpi": 200})
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def qr_label(content):
    out = io.BytesIO()
    segno.make(content, error="m").save(out, kind="png", scale=8, border=4)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def frame_of(label, angle=0, light=1.0):
    """One camera frame: the label centred on a grey desk, turned by ``angle`` degrees, dimmed by ``light``."""
    frame = Image.new("RGB", (WIDTH, HEIGHT), (128, 128, 120))
    label = label.copy()
    label.thumbnail((int(WIDTH * 0.8), int(HEIGHT * 0.6)))
    if angle:
        label = label.rotate(angle, expand=True, fillcolor=(128, 128, 120))
    frame.paste(label, ((WIDTH - label.width) // 2, (HEIGHT - label.height) // 2))
    if light != 1.0:
        frame = frame.point(lambda v: int(v * light))
    ImageDraw.Draw(frame).rectangle((0, 0, WIDTH - 1, HEIGHT - 1), outline=(90, 90, 90))
    return frame


def write_y4m(path, scenes, seconds_each=2.0):
    """A YUV 4:2:0 video showing each frame of ``scenes`` for ``seconds_each`` seconds (Chromium loops it)."""
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for scene in scenes:
            y, cb, cr = scene.convert("YCbCr").split()
            half = (WIDTH // 2, HEIGHT // 2)
            planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
            for _ in range(int(FPS * seconds_each)):
                out.write(b"FRAME\n" + planes)
    return path
