#ifndef TEST_COMMON_H
#define TEST_COMMON_H

/* CMocka needs these before its header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#endif
