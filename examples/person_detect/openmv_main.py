# Person detection on an OpenMV Cam: sensor.snapshot() -> model input -> model.classify().
# ruff: noqa: UP031 (%-formatting works on every MicroPython build; f-strings may be off)
#
# Runs on OpenMV's own firmware with the _tinyml.mpy native module and the tinyml package in
# lib/ beside it (see README.md: the camera's drive, or a ROMFS image). The model sits next to
# this script with its labels in person_detect.txt, as OpenMV keeps them; from ROMFS it is read
# in place, not copied to RAM.
#
# Run in CI on OpenMV's firmware on its emulated board, whose fake camera gives the frames
# (tests/openmv/test_openmv.py); NOT RUN ON A CAMERA. It needs more memory than the OpenMV Cam
# M7 and H7 have (see README.md): the firmware loads the .mpy's code (about 100 KB) into the
# heap, which also holds the 83 KB arena, and the 300 KB model exceeds the H7's ROMFS.
import time

import sensor
import tinyml
from tinyml.openmv import image_input

model = tinyml.Model("person_detect.tflite")

sensor.reset()
sensor.set_pixformat(sensor.GRAYSCALE)
sensor.set_framesize(sensor.QVGA)
sensor.skip_frames(time=2000)  # let exposure settle

clock = time.clock()
while True:
    clock.tick()
    img = sensor.snapshot()
    # The 320x240 frame, centre-cropped to square and scaled to 96x96, straight into the input.
    label, score = model.classify(image_input(model, img))[0]
    print("%-9s %.2f  %.1f fps" % (label, score, clock.fps()))
