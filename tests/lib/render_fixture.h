/* render_fixture.h: profiles and configurations built by hand for the rendering tests. */
#ifndef RP_RENDER_FIXTURE_H
#define RP_RENDER_FIXTURE_H

#include "rp.h"
#include "cfg.h"

/* A profile with that outcome asking for requested; aborts on failure. */
struct rp_profile *fx_profile(enum rp_outcome outcome, rp_attrset requested);

/* Gives id the text value s (marks it present). */
void fx_set(struct rp_profile *p, enum rp_attr_id id, const char *s);

/* Gives the list attribute id the NULL-terminated items. */
void fx_list(struct rp_profile *p, enum rp_attr_id id, const char *const *items);

/* Gives one part of the address attribute id. */
void fx_addr(struct rp_profile *p, enum rp_attr_id id, enum rp_addr_part part,
    const char *s);

/* Marks id withheld. */
void fx_withhold(struct rp_profile *p, enum rp_attr_id id);

/* Sets the privacy URL. */
void fx_privacy(struct rp_profile *p, const char *url);

/* The templates shipped in conf/templates, NULL-terminated. */
extern const char *const fx_templates[];

/*
 * The sample conf/richprofile.conf, loaded by the real loader, with
 * [server] templates pointed at dir (NULL: the source tree's
 * conf/templates).  Aborts on failure; free with rp_cfg_free.
 */
struct rp_cfg *fx_cfg(const char *dir);

#endif
