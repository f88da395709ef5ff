# tinydev ESP32_S3: ESP32_GENERIC_S3 with octal PSRAM (e.g. ESP32-S3-DevKitC-1 N8R8), 8 MiB flash,
# 240 MHz, the tinyml C module and the tinydev framework frozen in.
# Build (ESP-IDF 5.2-5.4):  tinydev firmware build --board ESP32_S3
#   = idf.py -C <micropython>/ports/esp32 -D MICROPY_BOARD=ESP32_S3 -D MICROPY_BOARD_DIR=<this dir> \
#       -D USER_C_MODULES=<repo>/cmodules/micropython.cmake build
set(IDF_TARGET esp32s3)

# The partition table lives beside this file; ESP-IDF reads its name from sdkconfig, so write a
# fragment with the absolute path (this board is out of the MicroPython tree).
set(TINYDEV_PARTITIONS_SDKCONFIG ${CMAKE_BINARY_DIR}/sdkconfig.tinydev_partitions)
file(WRITE ${TINYDEV_PARTITIONS_SDKCONFIG}
    "CONFIG_PARTITION_TABLE_CUSTOM=y\nCONFIG_PARTITION_TABLE_CUSTOM_FILENAME=\"${MICROPY_BOARD_DIR}/partitions-8MiB-models.csv\"\n")

set(SDKCONFIG_DEFAULTS
    boards/sdkconfig.base
    boards/sdkconfig.usb
    boards/sdkconfig.ble
    boards/sdkconfig.240mhz
    boards/sdkconfig.spiram_sx
    boards/sdkconfig.spiram_oct
    ${MICROPY_BOARD_DIR}/sdkconfig.board
    ${TINYDEV_PARTITIONS_SDKCONFIG}
)

set(MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/manifest.py)

# The tinyml module, unless the caller named its own modules.
if(NOT USER_C_MODULES)
    set(USER_C_MODULES ${MICROPY_BOARD_DIR}/../../cmodules/micropython.cmake)
endif()

list(APPEND MICROPY_DEF_BOARD
    MICROPY_HW_BOARD_NAME="tinydev ESP32-S3 (octal PSRAM)"
)
