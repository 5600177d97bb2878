/* Capabilities: whether we hold one, and dropping them all once collection is done. */
#ifndef CT_CAPS_H
#define CT_CAPS_H

#include <stdbool.h>
#include <stddef.h>

bool ct_caps_have(int cap);
/* Every set emptied, no way back: 0, or -errno with the reason. */
int ct_caps_drop(char *err, size_t errlen);

#endif
