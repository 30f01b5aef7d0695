# The octal-PSRAM variant freezes the same modules as boards/esp32s3.
include("../esp32s3/manifest.py")
