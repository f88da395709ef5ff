# Seeed Studio XIAO ESP32S3 Sense: PDM microphone (MSM261D3526H1CPM) on the camera board, clock on
# GPIO42 and data on GPIO41. MicroPython's machine.I2S (esp32 port, 1.26) has no PDM receive mode,
# so board.mic() raises a clear OSError here; an INMP441 on I2S pins would use the generic profile.
NAME = "Seeed XIAO ESP32S3 Sense"
I2C = {"id": 0, "scl": 6, "sda": 5, "freq": 400000}
IMU = None
MIC = {"part": "pdm", "id": 0, "clk": 42, "data": 41, "rate": 16000}   # PDM: CLK GPIO42, DATA GPIO41
LED = 21            # user LED, active low
LED_ACTIVE_HIGH = False
BUZZER = None
