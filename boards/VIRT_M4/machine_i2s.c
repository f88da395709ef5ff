// machine.I2S for the virtual board: the "microphone" is a Python source object
// attached with the board-specific I2S.attach(source); source.readinto(buf) fills
// buf with samples in the configured format. readinto() blocks like a DMA-fed
// receiver: samples are delivered at `rate` in board time, the CPU sleeping (WFI)
// until they are due. A reader that falls more than ibuf behind loses the
// oldest samples (overrun), as with a real I2S ring buffer. TX mode paces
// write() the same way and hands the samples to the attached sink's write().
// Like extmod's I2S, polling the object (asyncio.StreamReader(i2s)) switches it
// to asyncio mode: readable once a DMA block (ibuf / 4) is due, and readinto()
// returns what is due without blocking.

#include <string.h>
#include "py/runtime.h"
#include "py/mphal.h"
#include "py/objarray.h"
#include "py/mperrno.h"
#include "py/stream.h"
#include "extmod/modmachine.h"
#include "board.h"

#define NUM_I2S             (2)
#define I2S_MODE_RX         (0)
#define I2S_MODE_TX         (1)
#define I2S_FORMAT_MONO     (0)
#define I2S_FORMAT_STEREO   (1)

typedef struct _machine_i2s_obj_t {
    mp_obj_base_t base;
    uint8_t id;
    uint8_t mode;
    uint8_t bits;
    uint8_t format;
    bool active;
    bool asyncio_mode;
    int32_t rate;
    int32_t ibuf;
    mp_obj_t sck, ws, sd;
    mp_obj_t peer;         // attached source (RX) or sink (TX)
    // Stream clock: frame `frames_done` (the next one for the application) is due
    // at start_us + frames_done / rate. Whole seconds move into start_us.
    uint32_t start_us;
    uint32_t frames_done;
} machine_i2s_obj_t;

MP_REGISTER_ROOT_POINTER(struct _machine_i2s_obj_t *machine_i2s_obj[2]);

void machine_i2s_deinit_all(void) {
    for (int i = 0; i < NUM_I2S; ++i) {
        MP_STATE_PORT(machine_i2s_obj[i]) = NULL;
    }
}

static size_t i2s_frame_bytes(machine_i2s_obj_t *self) {
    return (self->bits / 8) * (self->format == I2S_FORMAT_STEREO ? 2 : 1);
}

static void machine_i2s_init_helper(machine_i2s_obj_t *self, size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    enum { ARG_sck, ARG_ws, ARG_sd, ARG_mck, ARG_mode, ARG_bits, ARG_format, ARG_rate, ARG_ibuf };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_sck, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_ws, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_sd, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_mck, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_mode, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = I2S_MODE_RX} },
        { MP_QSTR_bits, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 16} },
        { MP_QSTR_format, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = I2S_FORMAT_MONO} },
        { MP_QSTR_rate, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 16000} },
        { MP_QSTR_ibuf, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 8192} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all(n_args, pos_args, kw_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);

    mp_int_t mode = args[ARG_mode].u_int;
    mp_int_t bits = args[ARG_bits].u_int;
    mp_int_t format = args[ARG_format].u_int;
    if (mode != I2S_MODE_RX && mode != I2S_MODE_TX) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid mode"));
    }
    if (bits != 16 && bits != 32) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid bits"));
    }
    if (format != I2S_FORMAT_MONO && format != I2S_FORMAT_STEREO) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid format"));
    }
    if (args[ARG_rate].u_int <= 0 || args[ARG_rate].u_int > 192000) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid rate"));
    }
    if (args[ARG_ibuf].u_int <= 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid ibuf"));
    }
    self->sck = args[ARG_sck].u_obj;
    self->ws = args[ARG_ws].u_obj;
    self->sd = args[ARG_sd].u_obj;
    self->mode = mode;
    self->bits = bits;
    self->format = format;
    self->rate = args[ARG_rate].u_int;
    self->ibuf = args[ARG_ibuf].u_int;
    self->active = true;
    self->asyncio_mode = false;
    self->start_us = mp_hal_ticks_us();
    self->frames_done = 0;
}

static void machine_i2s_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    machine_i2s_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "I2S(id=%u, mode=%u, bits=%u, format=%u, rate=%d, ibuf=%d)",
        self->id, self->mode, self->bits, self->format, (int)self->rate, (int)self->ibuf);
}

// I2S(id, *, sck, ws, sd, mck=None, mode=RX, bits=16, format=MONO, rate=16000, ibuf=8192)
static mp_obj_t machine_i2s_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 1, true);
    mp_int_t id = mp_obj_get_int(args[0]);
    if (id < 0 || id >= NUM_I2S) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid id"));
    }
    machine_i2s_obj_t *self = MP_STATE_PORT(machine_i2s_obj[id]);
    if (self == NULL) {
        self = mp_obj_malloc(machine_i2s_obj_t, &machine_i2s_type);
        self->id = id;
        self->peer = mp_const_none;
        MP_STATE_PORT(machine_i2s_obj[id]) = self;
    }
    mp_map_t kw_args;
    mp_map_init_fixed_table(&kw_args, n_kw, args + n_args);
    machine_i2s_init_helper(self, n_args - 1, args + 1, &kw_args);
    return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t machine_i2s_init(size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    machine_i2s_init_helper(MP_OBJ_TO_PTR(pos_args[0]), n_args - 1, pos_args + 1, kw_args);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(machine_i2s_init_obj, 1, machine_i2s_init);

static mp_obj_t machine_i2s_deinit(mp_obj_t self_in) {
    machine_i2s_obj_t *self = MP_OBJ_TO_PTR(self_in);
    self->active = false;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(machine_i2s_deinit_obj, machine_i2s_deinit);

// i2s.attach(obj): the emulated peer; RX calls obj.readinto(buf), TX obj.write(buf).
static mp_obj_t machine_i2s_attach(mp_obj_t self_in, mp_obj_t peer) {
    machine_i2s_obj_t *self = MP_OBJ_TO_PTR(self_in);
    self->peer = peer;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(machine_i2s_attach_obj, machine_i2s_attach);

static uint32_t i2s_ibuf_frames(machine_i2s_obj_t *self) {
    return MAX(1, self->ibuf / i2s_frame_bytes(self));
}

// Frames due now and not yet read (negative: the next frame is in the future).
// A backlog beyond ibuf is an overrun: the oldest frames are dropped (a source
// with a skip(nbytes) method is told, to stay in step with board time).
static int32_t i2s_frames_due(machine_i2s_obj_t *self) {
    uint32_t secs = self->frames_done / self->rate;
    self->frames_done -= secs * self->rate;
    self->start_us += secs * 1000000;
    int32_t elapsed_us = (int32_t)(mp_hal_ticks_us() - self->start_us);
    int32_t due = (int64_t)elapsed_us * self->rate / 1000000 - (int32_t)self->frames_done;
    int32_t lost = due - (int32_t)i2s_ibuf_frames(self);
    if (lost > 0) {
        self->frames_done += lost;
        due -= lost;
        mp_obj_t dest[3];
        mp_load_method_maybe(self->peer, MP_QSTR_skip, dest);
        if (dest[0] != MP_OBJ_NULL) {
            dest[2] = mp_obj_new_int(lost * i2s_frame_bytes(self));
            mp_call_method_n_kw(1, 0, dest);
        }
    }
    return due;
}

// Sleep until `frames` frames are due.
static void i2s_wait_for_frames(machine_i2s_obj_t *self, int32_t frames) {
    for (;;) {
        int32_t missing = frames - i2s_frames_due(self);
        if (missing <= 0) {
            break;
        }
        mp_event_wait_ms(MAX(1, (int64_t)missing * 1000 / self->rate));
    }
}

// readinto(buf): fill buf with samples, blocking; returns the number of bytes.
static mp_obj_t machine_i2s_readinto(mp_obj_t self_in, mp_obj_t buf_in) {
    machine_i2s_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (!self->active || self->mode != I2S_MODE_RX) {
        mp_raise_ValueError(MP_ERROR_TEXT("I2S not in RX mode"));
    }
    mp_buffer_info_t bufinfo;
    mp_get_buffer_raise(buf_in, &bufinfo, MP_BUFFER_WRITE);
    size_t frame = i2s_frame_bytes(self);
    int32_t frames = bufinfo.len / frame;
    if (self->asyncio_mode) {
        frames = MIN(frames, MAX(0, i2s_frames_due(self)));
    } else {
        i2s_wait_for_frames(self, frames);
    }
    size_t len = frames * frame;
    if (len == 0) {
        return MP_OBJ_NEW_SMALL_INT(0);
    }
    self->frames_done += frames;
    if (self->peer == mp_const_none) {
        memset(bufinfo.buf, 0, len);
    } else {
        mp_obj_t view = mp_obj_new_memoryview('B' | MP_OBJ_ARRAY_TYPECODE_FLAG_RW, len, bufinfo.buf);
        mp_call_function_1(mp_load_attr(self->peer, MP_QSTR_readinto), view);
    }
    return MP_OBJ_NEW_SMALL_INT(len);
}
static MP_DEFINE_CONST_FUN_OBJ_2(machine_i2s_readinto_obj, machine_i2s_readinto);

// write(buf): play samples, blocking; returns the number of bytes.
static mp_obj_t machine_i2s_write(mp_obj_t self_in, mp_obj_t buf_in) {
    machine_i2s_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (!self->active || self->mode != I2S_MODE_TX) {
        mp_raise_ValueError(MP_ERROR_TEXT("I2S not in TX mode"));
    }
    mp_buffer_info_t bufinfo;
    mp_get_buffer_raise(buf_in, &bufinfo, MP_BUFFER_READ);
    size_t frame = i2s_frame_bytes(self);
    int32_t frames = bufinfo.len / frame;
    size_t len = frames * frame;
    if (len == 0) {
        return MP_OBJ_NEW_SMALL_INT(0);
    }
    if (self->peer != mp_const_none) {
        mp_call_function_1(mp_load_attr(self->peer, MP_QSTR_write), mp_obj_new_bytes(bufinfo.buf, len));
    }
    i2s_wait_for_frames(self, frames);
    self->frames_done += frames;
    return MP_OBJ_NEW_SMALL_INT(len);
}
static MP_DEFINE_CONST_FUN_OBJ_2(machine_i2s_write_obj, machine_i2s_write);

static mp_uint_t machine_i2s_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    machine_i2s_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (request != MP_STREAM_POLL) {
        *errcode = MP_EINVAL;
        return MP_STREAM_ERROR;
    }
    self->asyncio_mode = true;
    mp_uint_t ret = 0;
    if ((arg & MP_STREAM_POLL_RD) && self->active && self->mode == I2S_MODE_RX
        && i2s_frames_due(self) >= (int32_t)MAX(1, i2s_ibuf_frames(self) / 4)) {
        ret |= MP_STREAM_POLL_RD;
    }
    if ((arg & MP_STREAM_POLL_WR) && self->active && self->mode == I2S_MODE_TX) {
        ret |= MP_STREAM_POLL_WR;
    }
    return ret;
}

static const mp_stream_p_t machine_i2s_stream_p = {
    .ioctl = machine_i2s_ioctl,
};

static const mp_rom_map_elem_t machine_i2s_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_init), MP_ROM_PTR(&machine_i2s_init_obj) },
    { MP_ROM_QSTR(MP_QSTR_readinto), MP_ROM_PTR(&machine_i2s_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&machine_i2s_write_obj) },
    { MP_ROM_QSTR(MP_QSTR_deinit), MP_ROM_PTR(&machine_i2s_deinit_obj) },
    { MP_ROM_QSTR(MP_QSTR_attach), MP_ROM_PTR(&machine_i2s_attach_obj) },

    { MP_ROM_QSTR(MP_QSTR_RX), MP_ROM_INT(I2S_MODE_RX) },
    { MP_ROM_QSTR(MP_QSTR_TX), MP_ROM_INT(I2S_MODE_TX) },
    { MP_ROM_QSTR(MP_QSTR_MONO), MP_ROM_INT(I2S_FORMAT_MONO) },
    { MP_ROM_QSTR(MP_QSTR_STEREO), MP_ROM_INT(I2S_FORMAT_STEREO) },
};
static MP_DEFINE_CONST_DICT(machine_i2s_locals_dict, machine_i2s_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    machine_i2s_type,
    MP_QSTR_I2S,
    MP_TYPE_FLAG_NONE,
    make_new, machine_i2s_make_new,
    print, machine_i2s_print,
    protocol, &machine_i2s_stream_p,
    locals_dict, &machine_i2s_locals_dict
    );
