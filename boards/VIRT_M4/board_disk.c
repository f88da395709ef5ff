// Persistent disk: a block device whose blocks live in a host file, accessed with
// semihosting file I/O, so the littlefs filesystem at / survives restarts of QEMU.
// The image path is "disk=PATH" on the semihosting command line (qemu -append),
// else VIRT_M4_DISK_DEFAULT in QEMU's working directory. A missing or short file
// reads as erased (0xff) and grows as blocks are written.

#include <string.h>
#include "py/runtime.h"
#include "py/mperrno.h"
#include "extmod/vfs.h"
#include "extmod/vfs_lfs.h"
#include "board.h"
#include "board_semihost.h"

#define VIRT_M4_DISK_DEFAULT    "vfs_virt_m4.img"
#define DISK_BLOCK_SIZE         (4096)
#define DISK_MIN_BLOCKS         (512) // 2 MB

typedef struct _virtboard_disk_obj_t {
    mp_obj_base_t base;
} virtboard_disk_obj_t;

static int disk_fd = -1;
static uint32_t disk_blocks;
static char disk_path[128];

const mp_obj_type_t virtboard_disk_type;
static const virtboard_disk_obj_t virtboard_disk_obj = { { &virtboard_disk_type } };

// Find "disk=PATH" among the space-separated semihosting arguments.
static void disk_path_init(void) {
    static char cmdline[256];
    strcpy(disk_path, VIRT_M4_DISK_DEFAULT);
    if (sh_get_cmdline(cmdline, sizeof(cmdline)) != 0) {
        return;
    }
    for (const char *tok = cmdline; *tok != '\0';) {
        size_t len = strcspn(tok, " ");
        if (len > 5 && strncmp(tok, "disk=", 5) == 0 && len - 5 < sizeof(disk_path)) {
            memcpy(disk_path, tok + 5, len - 5);
            disk_path[len - 5] = '\0';
        }
        tok += len + (tok[len] == ' ');
    }
}

static void disk_open(void) {
    if (disk_fd >= 0) {
        return;
    }
    disk_path_init();
    // Open for update, creating the file on first boot.
    int fd = sh_open(disk_path, SH_MODE_RPLUSB);
    if (fd < 0) {
        fd = sh_open(disk_path, SH_MODE_WPLUSB);
    }
    if (fd < 0) {
        mp_raise_OSError(MP_ENODEV);
    }
    int len = sh_flen(fd);
    disk_blocks = MAX(DISK_MIN_BLOCKS, len > 0 ? (uint32_t)len / DISK_BLOCK_SIZE : 0);
    disk_fd = fd;
}

static void disk_check_range(mp_obj_t block_in, size_t offset, size_t len, uint32_t *pos) {
    uint32_t block = mp_obj_get_int(block_in);
    uint64_t start = (uint64_t)block * DISK_BLOCK_SIZE + offset;
    if (block >= disk_blocks || start + len > (uint64_t)disk_blocks * DISK_BLOCK_SIZE) {
        mp_raise_OSError(MP_EINVAL);
    }
    *pos = (uint32_t)start;
}

static mp_obj_t virtboard_disk_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 0, 0, false);
    disk_open();
    return MP_OBJ_FROM_PTR(&virtboard_disk_obj);
}

// readblocks(block_num, buf[, offset])
static mp_obj_t virtboard_disk_readblocks(size_t n_args, const mp_obj_t *args) {
    mp_buffer_info_t bufinfo;
    mp_get_buffer_raise(args[2], &bufinfo, MP_BUFFER_WRITE);
    size_t offset = n_args > 3 ? mp_obj_get_int(args[3]) : 0;
    uint32_t pos;
    disk_check_range(args[1], offset, bufinfo.len, &pos);
    if (sh_seek(disk_fd, pos) != 0) {
        mp_raise_OSError(MP_EIO);
    }
    size_t missing = sh_read(disk_fd, bufinfo.buf, bufinfo.len);
    if (missing > bufinfo.len) {
        mp_raise_OSError(MP_EIO);
    }
    // Past the end of the file: never written, so erased.
    memset((uint8_t *)bufinfo.buf + bufinfo.len - missing, 0xff, missing);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(virtboard_disk_readblocks_obj, 3, 4, virtboard_disk_readblocks);

// writeblocks(block_num, buf[, offset])
static mp_obj_t virtboard_disk_writeblocks(size_t n_args, const mp_obj_t *args) {
    mp_buffer_info_t bufinfo;
    mp_get_buffer_raise(args[2], &bufinfo, MP_BUFFER_READ);
    size_t offset = n_args > 3 ? mp_obj_get_int(args[3]) : 0;
    uint32_t pos;
    disk_check_range(args[1], offset, bufinfo.len, &pos);
    if (sh_seek(disk_fd, pos) != 0 || sh_write(disk_fd, bufinfo.buf, bufinfo.len) != 0) {
        mp_raise_OSError(MP_EIO);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(virtboard_disk_writeblocks_obj, 3, 4, virtboard_disk_writeblocks);

static mp_obj_t virtboard_disk_ioctl(mp_obj_t self_in, mp_obj_t op_in, mp_obj_t arg_in) {
    switch (mp_obj_get_int(op_in)) {
        case MP_BLOCKDEV_IOCTL_BLOCK_COUNT:
            return MP_OBJ_NEW_SMALL_INT(disk_blocks);
        case MP_BLOCKDEV_IOCTL_BLOCK_SIZE:
            return MP_OBJ_NEW_SMALL_INT(DISK_BLOCK_SIZE);
        case MP_BLOCKDEV_IOCTL_INIT:
        case MP_BLOCKDEV_IOCTL_DEINIT:
        case MP_BLOCKDEV_IOCTL_SYNC:
        case MP_BLOCKDEV_IOCTL_BLOCK_ERASE:
            // Host writes are unbuffered and littlefs needs no erased state.
            return MP_OBJ_NEW_SMALL_INT(0);
        default:
            return mp_const_none;
    }
}
static MP_DEFINE_CONST_FUN_OBJ_3(virtboard_disk_ioctl_obj, virtboard_disk_ioctl);

static mp_obj_t virtboard_disk_path(mp_obj_t self_in) {
    return mp_obj_new_str(disk_path, strlen(disk_path));
}
static MP_DEFINE_CONST_FUN_OBJ_1(virtboard_disk_path_obj, virtboard_disk_path);

static const mp_rom_map_elem_t virtboard_disk_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_readblocks), MP_ROM_PTR(&virtboard_disk_readblocks_obj) },
    { MP_ROM_QSTR(MP_QSTR_writeblocks), MP_ROM_PTR(&virtboard_disk_writeblocks_obj) },
    { MP_ROM_QSTR(MP_QSTR_ioctl), MP_ROM_PTR(&virtboard_disk_ioctl_obj) },
    { MP_ROM_QSTR(MP_QSTR_path), MP_ROM_PTR(&virtboard_disk_path_obj) },
};
static MP_DEFINE_CONST_DICT(virtboard_disk_locals_dict, virtboard_disk_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    virtboard_disk_type,
    MP_QSTR_Disk,
    MP_TYPE_FLAG_NONE,
    make_new, virtboard_disk_make_new,
    locals_dict, &virtboard_disk_locals_dict
    );

// Mount the disk at / (formatting it first if it holds no filesystem), as the
// _boot.py of hardware ports does with their flash.
void board_disk_mount(void) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t bdev = virtboard_disk_make_new(&virtboard_disk_type, 0, 0, NULL);
        mp_obj_t vfs;
        nlr_buf_t nlr_mount;
        if (nlr_push(&nlr_mount) == 0) {
            vfs = MP_OBJ_TYPE_GET_SLOT(&mp_type_vfs_lfs2, make_new)(&mp_type_vfs_lfs2, 1, 0, &bdev);
            nlr_pop();
        } else {
            mp_obj_t mkfs = mp_load_attr(MP_OBJ_FROM_PTR(&mp_type_vfs_lfs2), MP_QSTR_mkfs);
            mp_call_function_1(mkfs, bdev);
            vfs = MP_OBJ_TYPE_GET_SLOT(&mp_type_vfs_lfs2, make_new)(&mp_type_vfs_lfs2, 1, 0, &bdev);
        }
        mp_call_function_2(MP_OBJ_FROM_PTR(&mp_vfs_mount_obj), vfs, MP_OBJ_NEW_QSTR(MP_QSTR__slash_));
        nlr_pop();
    } else {
        mp_printf(&mp_plat_print, "VIRT_M4: no filesystem: ");
        mp_obj_print_exception(&mp_plat_print, MP_OBJ_FROM_PTR(nlr.ret_val));
    }
}
