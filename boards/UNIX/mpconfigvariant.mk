# tinydev UNIX board (unix port variant, out of tree: VARIANT_DIR=<repo>/boards/UNIX).
FROZEN_MANIFEST ?= $(VARIANT_DIR)/manifest.py

# Debian's source package ships no berkeley-db, mbedtls or libffi submodules.
MICROPY_PY_BTREE = 0
MICROPY_PY_SSL = 0
MICROPY_SSL_MBEDTLS = 0
MICROPY_SSL_AXTLS = 0
MICROPY_PY_FFI = 0

# TINYDEV_SANITIZE=1: the ASan/UBSan flavour for tests of the C code.
ifeq ($(TINYDEV_SANITIZE),1)
CFLAGS += -fsanitize=address,undefined -fno-sanitize=nonnull-attribute -fno-omit-frame-pointer --param asan-use-after-return=0
LDFLAGS += -fsanitize=address,undefined -fno-sanitize=nonnull-attribute
endif
