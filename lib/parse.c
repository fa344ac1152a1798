/* parse.c: streaming RichProfile parser (to be written: issue 2). */
#include "config.h"
