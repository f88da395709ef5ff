// machine.I2C whose buses carry emulated devices: Python objects attached at an
// address with the board-specific I2C.attach(addr, dev). A write transaction calls
// dev.write(data) (data[0] is usually the register), a read calls dev.read(n),
// which returns n bytes. No device at the address means NACK: OSError(ENODEV),
// as on hardware ports. All the methods of extmod's machine_i2c work on top.
// Transfers take their bus time at `freq`.

#include <string.h>
#include "py/runtime.h"
#include "py/mperrno.h"
#include "py/mphal.h"
#include "extmod/modmachine.h"
#include "board.h"

#define NUM_I2C_BUSES       (2)
#define I2C_DEFAULT_FREQ    (400000)

typedef struct _machine_i2c_obj_t {
    mp_obj_base_t base;
    uint8_t id;
    uint32_t freq;
} machine_i2c_obj_t;

// Per bus: dict of address -> device object. The devices belong to the bus, not
// to one I2C object, like chips soldered to the wires.
MP_REGISTER_ROOT_POINTER(mp_obj_t machine_i2c_devices[2]);

static machine_i2c_obj_t machine_i2c_obj[NUM_I2C_BUSES] = {
    { { &machine_i2c_type }, 0, I2C_DEFAULT_FREQ },
    { { &machine_i2c_type }, 1, I2C_DEFAULT_FREQ },
};

void machine_i2c_deinit_all(void) {
    for (int i = 0; i < NUM_I2C_BUSES; ++i) {
        MP_STATE_PORT(machine_i2c_devices[i]) = MP_OBJ_NULL;
    }
}

static mp_obj_t i2c_devices(machine_i2c_obj_t *self) {
    if (MP_STATE_PORT(machine_i2c_devices[self->id]) == MP_OBJ_NULL) {
        MP_STATE_PORT(machine_i2c_devices[self->id]) = mp_obj_new_dict(0);
    }
    return MP_STATE_PORT(machine_i2c_devices[self->id]);
}

static mp_obj_t i2c_find_device(machine_i2c_obj_t *self, uint16_t addr) {
    mp_map_t *map = mp_obj_dict_get_map(i2c_devices(self));
    mp_map_elem_t *elem = mp_map_lookup(map, MP_OBJ_NEW_SMALL_INT(addr), MP_MAP_LOOKUP);
    return elem == NULL ? MP_OBJ_NULL : elem->value;
}

// The time the transfer takes on the wires: 9 clocks per byte (address byte
// included) plus start and stop, so drivers see hardware-like timing.
static void i2c_bus_time(machine_i2c_obj_t *self, size_t len) {
    mp_hal_delay_us(((uint64_t)(len + 1) * 9 + 2) * 1000000 / self->freq);
}

static int machine_i2c_transfer(mp_obj_base_t *self_in, uint16_t addr, size_t n, mp_machine_i2c_buf_t *bufs, unsigned int flags) {
    machine_i2c_obj_t *self = (machine_i2c_obj_t *)self_in;
    size_t len = 0;
    for (size_t i = 0; i < n; ++i) {
        len += bufs[i].len;
    }
    mp_obj_t dev = i2c_find_device(self, addr);
    if (dev == MP_OBJ_NULL) {
        i2c_bus_time(self, 0);
        return -MP_ENODEV;
    }
    i2c_bus_time(self, len);
    if (len == 0) {
        // Address-only transfer (scan): the device ACKs.
        return 0;
    }
    if (flags & MP_MACHINE_I2C_FLAG_READ) {
        mp_obj_t data = mp_call_function_1(mp_load_attr(dev, MP_QSTR_read), MP_OBJ_NEW_SMALL_INT(len));
        mp_buffer_info_t info;
        mp_get_buffer_raise(data, &info, MP_BUFFER_READ);
        if (info.len < len) {
            return -MP_EIO;
        }
        const uint8_t *src = info.buf;
        for (size_t i = 0; i < n; ++i) {
            memcpy(bufs[i].buf, src, bufs[i].len);
            src += bufs[i].len;
        }
    } else {
        vstr_t vstr;
        vstr_init_len(&vstr, len);
        uint8_t *dest = (uint8_t *)vstr.buf;
        for (size_t i = 0; i < n; ++i) {
            memcpy(dest, bufs[i].buf, bufs[i].len);
            dest += bufs[i].len;
        }
        mp_obj_t data = mp_obj_new_bytes_from_vstr(&vstr);
        mp_call_function_1(mp_load_attr(dev, MP_QSTR_write), data);
    }
    return len;
}

static void machine_i2c_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    machine_i2c_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "I2C(%u, freq=%u)", self->id, (unsigned)self->freq);
}

// I2C(id, *, freq=400000, scl=None, sda=None, timeout=50000): pins are accepted
// for compatibility with board profiles of real hardware.
static void machine_i2c_init_helper(machine_i2c_obj_t *self, size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    enum { ARG_freq, ARG_scl, ARG_sda, ARG_timeout };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_freq, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = I2C_DEFAULT_FREQ} },
        { MP_QSTR_scl, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_sda, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_timeout, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 50000} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all(n_args, pos_args, kw_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);
    if (args[ARG_freq].u_int <= 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid freq"));
    }
    self->freq = args[ARG_freq].u_int;
}

static mp_obj_t machine_i2c_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 1, true);
    mp_int_t id = mp_obj_get_int(args[0]);
    if (id < 0 || id >= NUM_I2C_BUSES) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("I2C(%d) doesn't exist"), id);
    }
    machine_i2c_obj_t *self = &machine_i2c_obj[id];
    mp_map_t kw_args;
    mp_map_init_fixed_table(&kw_args, n_kw, args + n_args);
    machine_i2c_init_helper(self, n_args - 1, args + 1, &kw_args);
    return MP_OBJ_FROM_PTR(self);
}

static void machine_i2c_init(mp_obj_base_t *self_in, size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    machine_i2c_init_helper((machine_i2c_obj_t *)self_in, n_args, pos_args, kw_args);
}

// i2c.attach(addr, dev): connect an emulated device at a 7-bit address.
static mp_obj_t machine_i2c_attach(mp_obj_t self_in, mp_obj_t addr_in, mp_obj_t dev) {
    machine_i2c_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_int_t addr = mp_obj_get_int(addr_in);
    if (addr < 0 || addr > 0x7f) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid address"));
    }
    mp_obj_dict_store(i2c_devices(self), MP_OBJ_NEW_SMALL_INT(addr), dev);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(machine_i2c_attach_obj, machine_i2c_attach);

// i2c.detach(addr): remove the device at addr, if any.
static mp_obj_t machine_i2c_detach(mp_obj_t self_in, mp_obj_t addr_in) {
    machine_i2c_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_map_t *map = mp_obj_dict_get_map(i2c_devices(self));
    mp_map_lookup(map, MP_OBJ_NEW_SMALL_INT(mp_obj_get_int(addr_in)), MP_MAP_LOOKUP_REMOVE_IF_FOUND);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(machine_i2c_detach_obj, machine_i2c_detach);

// attach/detach are looked up here; everything else falls through to extmod's
// mp_machine_i2c_locals_dict (dest[1] = MP_OBJ_SENTINEL).
static void machine_i2c_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (dest[0] == MP_OBJ_NULL && attr == MP_QSTR_attach) {
        dest[0] = MP_OBJ_FROM_PTR(&machine_i2c_attach_obj);
        dest[1] = self_in;
    } else if (dest[0] == MP_OBJ_NULL && attr == MP_QSTR_detach) {
        dest[0] = MP_OBJ_FROM_PTR(&machine_i2c_detach_obj);
        dest[1] = self_in;
    } else {
        dest[1] = MP_OBJ_SENTINEL;
    }
}

static const mp_machine_i2c_p_t machine_i2c_p = {
    .init = machine_i2c_init,
    .transfer = machine_i2c_transfer,
};

MP_DEFINE_CONST_OBJ_TYPE(
    machine_i2c_type,
    MP_QSTR_I2C,
    MP_TYPE_FLAG_NONE,
    make_new, machine_i2c_make_new,
    print, machine_i2c_print,
    attr, machine_i2c_attr,
    protocol, &machine_i2c_p,
    locals_dict, &mp_machine_i2c_locals_dict
    );
