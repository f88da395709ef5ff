# tinydev VIRT_M4: MicroPython's qemu port on mps2-an386 (Cortex-M4F with hardware FPU).
# Built with BOARD_DIR pointing here; patches/ must be applied to the MicroPython tree first.

QEMU_ARCH = arm
QEMU_MACHINE = mps2-an386

CFLAGS += -mthumb -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard
CFLAGS += -DQEMU_SOC_MPS2
CFLAGS += -DMICROPY_HW_MCU_NAME='"Cortex-M4F"'
CFLAGS += -I$(TOP)/lib/cmsis/inc

LDSCRIPT = $(BOARD_DIR)/virt_m4.ld

SRC_BOARD_O = shared/runtime/gchelper_native.o shared/runtime/gchelper_thumb2.o

MPY_CROSS_FLAGS += -march=armv7emsp

# Like an ESP32-S3 without PSRAM; override on the make command line.
MICROPY_HEAP_SIZE ?= 307200

MICROPY_VFS_LFS2 = 1
MICROPY_LIBM_SQRT_HW = 1

# Board sources, with absolute paths (the $(BUILD)/%.o rule accepts them).
VIRT_M4_DIR := $(abspath $(BOARD_DIR))
SRC_C += $(addprefix $(VIRT_M4_DIR)/,\
	board_init.c \
	board_time.c \
	board_uart.c \
	board_semihost.c \
	board_disk.c \
	modvirtboard.c \
	machine_pin.c \
	machine_i2c.c \
	machine_i2s.c \
	)
SRC_C += \
	shared/runtime/mpirq.c \
	shared/timeutils/timeutils.c \

# modmachine.c/modtime.c pull these in with #include, so make them rebuild when they change.
$(BUILD)/extmod/modmachine.o: $(VIRT_M4_DIR)/board_modmachine.c
$(BUILD)/extmod/modtime.o: $(VIRT_M4_DIR)/board_modtime.c
