/* Shared helpers for the cmocka unit tests. */
#ifndef CC_TESTS_UNIT_H
#define CC_TESTS_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#endif
