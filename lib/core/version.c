#include "common.h"

const char *ag_version(void)
{
    return AG_VERSION_STRING;
}

int ag_version_number(void)
{
    return AG_VERSION_NUMBER;
}

const char *ag_decision_name(ag_decision decision)
{
    switch (decision) {
    case AG_ALLOW: return "allow";
    case AG_ASK: return "ask";
    case AG_DENY: return "deny";
    }
    return "deny";
}
