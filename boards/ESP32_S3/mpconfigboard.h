// tinydev ESP32_S3 board: generic ESP32-S3 module with octal PSRAM.
#ifndef MICROPY_HW_BOARD_NAME
#define MICROPY_HW_BOARD_NAME               "tinydev ESP32-S3"
#endif
#define MICROPY_HW_MCU_NAME                 "ESP32S3"

// DevKitC-1 has a USB-UART bridge on UART0 as well as native USB.
#define MICROPY_HW_ENABLE_UART_REPL         (1)

// Default I2C bus for the IMU (board profiles in device/tinydev/boards may override the pins).
#define MICROPY_HW_I2C0_SCL                 (9)
#define MICROPY_HW_I2C0_SDA                 (8)

// I2S is how the MEMS microphones (INMP441, ICS-43434, the XIAO's PDM mic) are read.
#define MICROPY_PY_MACHINE_I2S              (1)
