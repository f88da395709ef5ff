# Generic ESP32-S3 board + GY-521 (MPU6050) on I2C + INMP441 I2S MEMS microphone.
NAME = "ESP32-S3 + MPU6050 + INMP441"
I2C = {"id": 0, "scl": 9, "sda": 8, "freq": 400000}
IMU = {"part": "mpu6050", "addr": 0x68, "int_pin": 4}
MIC = {"part": "inmp441", "id": 0, "sck": 12, "ws": 13, "sd": 11, "rate": 16000, "bits": 32}
LED = 2
BUZZER = 5
