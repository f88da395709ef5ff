// tinydev UNIX board: the unix port's standard feature set plus the tinyml module and the
// frozen device framework, for fast simulation and tests on the host.
#define MICROPY_CONFIG_ROM_LEVEL (MICROPY_CONFIG_ROM_LEVEL_EXTRA_FEATURES)

// Path relative to the port directory, because this variant lives outside the MicroPython tree.
#include "variants/mpconfigvariant_common.h"

#define MICROPY_PY_SYS_PLATFORM_TINYDEV (1)
