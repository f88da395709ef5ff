// ARM semihosting (bkpt 0xab) host calls used by the board; see board_semihost.h.

#include <string.h>
#include "board_semihost.h"

#define SYS_OPEN        (0x01)
#define SYS_CLOSE       (0x02)
#define SYS_WRITE       (0x05)
#define SYS_READ        (0x06)
#define SYS_SEEK        (0x0a)
#define SYS_FLEN        (0x0c)
#define SYS_TIME        (0x11)
#define SYS_GET_CMDLINE (0x15)

static uint32_t sh_call(uint32_t op, const void *args) {
    register uint32_t r0 __asm__ ("r0") = op;
    register const void *r1 __asm__ ("r1") = args;
    __asm__ volatile ("bkpt 0xab" : "+r" (r0) : "r" (r1) : "memory");
    return r0;
}

int sh_open(const char *name, int mode) {
    uint32_t args[3] = { (uint32_t)name, (uint32_t)mode, strlen(name) };
    return (int)sh_call(SYS_OPEN, args);
}

int sh_close(int fd) {
    uint32_t args[1] = { (uint32_t)fd };
    return (int)sh_call(SYS_CLOSE, args);
}

size_t sh_read(int fd, void *buf, size_t len) {
    uint32_t args[3] = { (uint32_t)fd, (uint32_t)buf, len };
    return sh_call(SYS_READ, args);
}

size_t sh_write(int fd, const void *buf, size_t len) {
    uint32_t args[3] = { (uint32_t)fd, (uint32_t)buf, len };
    return sh_call(SYS_WRITE, args);
}

int sh_seek(int fd, uint32_t pos) {
    uint32_t args[2] = { (uint32_t)fd, pos };
    return (int)sh_call(SYS_SEEK, args);
}

int sh_flen(int fd) {
    uint32_t args[1] = { (uint32_t)fd };
    return (int)sh_call(SYS_FLEN, args);
}

int sh_get_cmdline(char *buf, size_t len) {
    uint32_t args[2] = { (uint32_t)buf, len };
    return (int)sh_call(SYS_GET_CMDLINE, args);
}

uint32_t sh_time(void) {
    return sh_call(SYS_TIME, NULL);
}
