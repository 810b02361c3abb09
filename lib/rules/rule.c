/* Placeholder so the tree builds; the rule parser replaces it. */
#include "rules/rules.h"

ag_status ag_rule_parse(const char *text, ag_decision decision,
                        ag_source_location location, ag_rule *rule,
                        ag_error **error)
{
    (void)text; (void)decision; (void)location; (void)rule;
    return ag_error_set(error, AG_ERR_INTERNAL, NULL, 0, 0, "not built yet");
}
void ag_rule_clear(ag_rule *rule) { (void)rule; }
ag_match ag_rule_match_command(const ag_rule *rule, const char *subject,
                               size_t length, bool name_dynamic,
                               pcre2_match_data *match_data)
{
    (void)rule; (void)subject; (void)length; (void)name_dynamic; (void)match_data;
    return AG_MATCH_MAYBE;
}
pcre2_match_data *ag_rule_match_data_new(void) { return pcre2_match_data_create(1, NULL); }
