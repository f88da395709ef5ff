# Espressif ESP32-S3-DevKitC-1 with a Bosch BMI270 breakout on I2C (Qwiic-style wiring).
NAME = "ESP32-S3-DevKitC-1 + BMI270"
I2C = {"id": 0, "scl": 9, "sda": 8, "freq": 400000}
IMU = {"part": "bmi270", "addr": 0x68, "int_pin": 4}
MIC = None
LED = None          # the on-board LED is an addressable RGB (GPIO 48), not a plain pin
BUZZER = None
