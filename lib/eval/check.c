/* Placeholder */
#include "core/common.h"
