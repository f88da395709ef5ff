# UNIX port: no machine.I2C / Pin IRQs, so the bus and pins are tinydev.sim.bus stand-ins with
# the same emulated IMU as VIRT_M4.
NAME = "UNIX (simulation)"
I2C = {"id": 0}
IMU = {"part": "mpu6886", "addr": 0x68, "int_pin": 4}
MIC = {"part": "inmp441", "id": 0, "rate": 16000, "bits": 32, "ibuf": 32768}   # sim.i2s_mic.I2S stand-in
LED = 2
BUZZER = None
SIM = True
SIM_BUS = True
