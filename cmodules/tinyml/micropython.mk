# tinyml user C module for make ports (unix, qemu): USER_C_MODULES=<repo>/cmodules
TINYML_DIR := $(USERMOD_DIR)

# Every C file of the module, by layer; new ops and kernels are picked up without editing this file.
TINYML_SRC := $(wildcard $(TINYML_DIR)/*.c) \
	$(wildcard $(TINYML_DIR)/engine/*.c) \
	$(wildcard $(TINYML_DIR)/engine/ops/*.c) \
	$(wildcard $(TINYML_DIR)/engine/kernels/portable/*.c) \
	$(wildcard $(TINYML_DIR)/dsp/*.c)

SRC_USERMOD_C += $(TINYML_SRC)
CFLAGS_USERMOD += -I$(TINYML_DIR) -I$(TINYML_DIR)/engine -I$(TINYML_DIR)/dsp
