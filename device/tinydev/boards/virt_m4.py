# VIRT_M4 (qemu mps2-an386): machine.I2C(0) with an emulated MPU6886-compatible IMU attached
# from Python (tinydev.sim.mpu6050), its INT line on virtual GPIO 4 (Pin.drive by the emulator).
NAME = "VIRT_M4 (qemu Cortex-M4F)"
I2C = {"id": 0, "freq": 400000}
IMU = {"part": "mpu6886", "addr": 0x68, "int_pin": 4}
MIC = {"part": "inmp441", "id": 0, "rate": 16000, "bits": 32}   # emulated INMP441 (sim.i2s_mic)
LED = 2
BUZZER = None
SIM = True
