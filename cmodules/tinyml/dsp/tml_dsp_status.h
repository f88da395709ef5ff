// Status codes shared by the DSP core. Plain C99: no MicroPython, no malloc.
#ifndef TML_DSP_STATUS_H
#define TML_DSP_STATUS_H

typedef enum {
    TML_DSP_OK = 0,
    TML_DSP_BAD_SIZE,      // a length is out of range or not a power of two
    TML_DSP_BAD_PARAM,     // a frequency, count or kind is out of range
    TML_DSP_SMALL_BUFFER,  // the caller-provided workspace is too small
} tml_dsp_status_t;

#endif
