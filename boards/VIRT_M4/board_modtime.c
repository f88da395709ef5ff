// Port part of the time module (included by extmod/modtime.c): wall clock from
// the board RTC (host time at boot + ticks), in MicroPython's epoch.

#include "shared/timeutils/timeutils.h"

static mp_obj_t mp_time_time_get(void) {
    return timeutils_obj_from_timestamp(
        timeutils_seconds_since_epoch_from_nanoseconds_since_1970(mp_hal_time_ns()));
}

static mp_obj_t mp_time_localtime_get(void) {
    timeutils_struct_time_t tm;
    timeutils_seconds_since_epoch_to_struct_time(
        timeutils_seconds_since_epoch_from_nanoseconds_since_1970(mp_hal_time_ns()), &tm);
    mp_obj_t tuple[8] = {
        mp_obj_new_int(tm.tm_year),
        mp_obj_new_int(tm.tm_mon),
        mp_obj_new_int(tm.tm_mday),
        mp_obj_new_int(tm.tm_hour),
        mp_obj_new_int(tm.tm_min),
        mp_obj_new_int(tm.tm_sec),
        mp_obj_new_int(tm.tm_wday),
        mp_obj_new_int(tm.tm_yday),
    };
    return mp_obj_new_tuple(8, tuple);
}
