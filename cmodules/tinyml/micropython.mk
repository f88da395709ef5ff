# tinyml user C module for make ports (unix, qemu): USER_C_MODULES=<repo>/cmodules
TINYML_DIR := $(USERMOD_DIR)

# Every C file of the module, by layer; new ops and kernels are picked up without editing this file.
TINYML_SRC := $(wildcard $(TINYML_DIR)/*.c) \
	$(wildcard $(TINYML_DIR)/engine/*.c) \
	$(wildcard $(TINYML_DIR)/engine/ops/*.c) \
	$(wildcard $(TINYML_DIR)/engine/kernels/*/*.c) \
	$(wildcard $(TINYML_DIR)/dsp/*.c)

SRC_USERMOD_C += $(TINYML_SRC)
CFLAGS_USERMOD += -I$(TINYML_DIR) -I$(TINYML_DIR)/engine -I$(TINYML_DIR)/dsp

# Kernel set (engine/kernels/tml_kernels.h picks it at compile time): the default is the fastest
# the target has (arm_dsp/ on Cortex-M with DSP, else fast/); TINYML_KERNELS=portable forces the
# reference kernels, e.g. for the optimised/portable ratio of bench/inference.py.
TINYML_KERNELS ?= auto
ifeq ($(TINYML_KERNELS),portable)
CFLAGS_USERMOD += -DTML_KERNELS_PORTABLE
else ifeq ($(TINYML_KERNELS),fast)
CFLAGS_USERMOD += -DTML_KERNELS_NO_ARM_DSP
endif

# The optimised kernels are hot loops: -O2 instead of the port's -Os (at -Os GCC spills the SIMD
# accumulators of arm_dsp/ to the stack). Objects of user C modules live under $(BUILD)/tinyml/.
$(BUILD)/tinyml/engine/kernels/arm_dsp/%.o $(BUILD)/tinyml/engine/kernels/fast/%.o: CFLAGS += -O2
