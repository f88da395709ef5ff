# Seeed Studio XIAO ESP32S3 Sense: PDM microphone (MSM261D3526H1CPM) on the camera board.
NAME = "Seeed XIAO ESP32S3 Sense"
I2C = {"id": 0, "scl": 6, "sda": 5, "freq": 400000}
IMU = None
MIC = {"part": "pdm", "id": 0, "sck": 42, "ws": 42, "sd": 41, "rate": 16000, "bits": 16}
LED = 21            # user LED, active low
LED_ACTIVE_HIGH = False
BUZZER = None
