/* rp.h: the library's umbrella header; every public name starts with rp_. */
#ifndef RP_H
#define RP_H

#include "err.h"
#include "attr.h"
#include "arena.h"
#include "profile.h"
#include "parse.h"
#include "hash.h"
#include "breaker.h"
#include "cache.h"

#endif
