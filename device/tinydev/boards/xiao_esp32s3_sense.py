# Seeed Studio XIAO ESP32S3 Sense: PDM microphone (MSM261D3526H1CPM) on the camera board, clock on
# GPIO42 and data on GPIO41. MicroPython's machine.I2S (esp32 port, 1.26) has no PDM receive mode,
# so board.mic() runs the I2S peripheral in standard RX mode (16-bit stereo at 32 kHz: a 1.024 MHz
# bit clock on GPIO42 clocks the mic, GPIO41 is the data in) and tinyml.dsp.PDM decimates the bits
# to 16 kHz PCM (tinydev.drivers.pdm_mic). The I2S word select needs a pin: GPIO46, not routed on
# the XIAO (a strapping pin, sampled only at reset). Not yet checked on the hardware: the mic's data
# edge versus the I2S sampling edge and the ESP32-S3's 16-bit stereo word order.
NAME = "Seeed XIAO ESP32S3 Sense"
I2C = {"id": 0, "scl": 6, "sda": 5, "freq": 400000}
IMU = None
MIC = {"part": "pdm", "id": 0, "clk": 42, "data": 41, "ws": 46, "rate": 16000, "decimation": 64,
       "pdm_ibuf": 32768}                   # 32 KB of DMA: 256 ms of PCM
LED = 21            # user LED, active low
LED_ACTIVE_HIGH = False
BUZZER = None
