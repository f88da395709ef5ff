# M5Stack AtomS3: ESP32-S3 with an MPU6886 IMU on the internal I2C bus (no INT line wired).
NAME = "M5Stack AtomS3 + MPU6886"
I2C = {"id": 0, "scl": 39, "sda": 38, "freq": 400000}
IMU = {"part": "mpu6886", "addr": 0x68, "int_pin": None}
MIC = None
LED = None
BUZZER = None
