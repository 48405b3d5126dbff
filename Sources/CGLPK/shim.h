// Debian's libglpk-dev ships no pkg-config file: the header is found on the
// default include path (/usr/include/glpk.h) and the module map links `glpk`.
#ifndef MIS_CGLPK_SHIM_H
#define MIS_CGLPK_SHIM_H
#include <glpk.h>
#endif
