/*
 * JSON form of a verdict, shared by `check --json` and `eval`:
 * {"decision", "reason", "rule", "source", "span", "commands", "effects",
 *  ["error", "error_code"]}. "error" is a sentence that names the problem, and
 * "error_code" the stable status name (AG_ERR_REQUEST) for programs to compare.
 * Each effect is {"kind", "target", "decision", "rule", "source", "span", "command"}.
 * A part of a word only known at run time is U+0001 in "argv", which "dynamic"
 * flags, and CLI_DYNAMIC_MARKER in "target", which has no such flag.
 */
#include <stdio.h>

#include "cli.h"

/* Printed when even the JSON of a failure cannot be built, so a host still reads a deny. */
static const char out_of_memory_line[] =
    "{\"decision\":\"deny\",\"reason\":\"agentguard ran out of memory\","
    "\"rule\":null,\"source\":null,\"span\":null,\"commands\":[],\"effects\":[],"
    "\"error\":\"agentguard ran out of memory\",\"error_code\":\"AG_ERR_NOMEM\"}";

/*
 * Sets `key` to `value`, taking the reference. Clears *ok when `value` is NULL
 * (an allocation failed) or the object cannot take it.
 */
static void set_field(json_t *object, const char *key, json_t *value, bool *ok)
{
    if (value == NULL || json_object_set_new(object, key, value) != 0) {
        *ok = false;
    }
}

static json_t *span_to_json(bool has_span, size_t start, size_t end)
{
    if (!has_span) {
        return json_null();
    }
    return json_pack("[II]", (json_int_t)start, (json_int_t)end);
}

static json_t *command_to_json(const ag_verdict *verdict, size_t index)
{
    json_t *command = json_object();
    json_t *argv = json_array();
    json_t *dynamic = json_array();
    bool ok = command != NULL && argv != NULL && dynamic != NULL;

    size_t argc = ag_verdict_command_argc(verdict, index);
    for (size_t word = 0; ok && word < argc; word++) {
        bool is_dynamic = false;
        const char *text = ag_verdict_command_arg(verdict, index, word, &is_dynamic);
        ok = json_array_append_new(argv, cli_json_string_or_null(text)) == 0 &&
             json_array_append_new(dynamic, json_boolean(is_dynamic)) == 0;
    }
    if (!ok) {
        json_decref(command);
        json_decref(argv);
        json_decref(dynamic);
        return NULL;
    }

    size_t start = 0;
    size_t end = 0;
    bool has_span = ag_verdict_command_span(verdict, index, &start, &end);
    ag_decision decision = ag_verdict_command_decision(verdict, index);

    set_field(command, "argv", argv, &ok);
    set_field(command, "dynamic", dynamic, &ok);
    set_field(command, "decision", json_string(ag_decision_name(decision)), &ok);
    set_field(command, "rule", cli_json_string_or_null(ag_verdict_command_rule(verdict, index)), &ok);
    set_field(command, "source", cli_json_string_or_null(ag_verdict_command_source(verdict, index)), &ok);
    set_field(command, "span", span_to_json(has_span, start, end), &ok);
    if (!ok) {
        json_decref(command);
        return NULL;
    }
    return command;
}

static json_t *commands_to_json(const ag_verdict *verdict)
{
    json_t *commands = json_array();
    if (commands == NULL) {
        return NULL;
    }

    size_t count = ag_verdict_command_count(verdict);
    for (size_t i = 0; i < count; i++) {
        if (json_array_append_new(commands, command_to_json(verdict, i)) != 0) {
            json_decref(commands);
            return NULL;
        }
    }
    return commands;
}

static json_t *effect_to_json(const ag_verdict *verdict, size_t index)
{
    json_t *effect = json_object();
    if (effect == NULL) {
        return NULL;
    }

    size_t start = 0;
    size_t end = 0;
    bool has_span = ag_verdict_effect_span(verdict, index, &start, &end);
    bool ok = true;
    set_field(effect, "kind", json_string(ag_effect_kind_name(ag_verdict_effect_kind(verdict, index))), &ok);
    set_field(effect, "target", cli_json_path(ag_verdict_effect_target(verdict, index)), &ok);
    set_field(effect, "decision",
              json_string(ag_decision_name(ag_verdict_effect_decision(verdict, index))), &ok);
    set_field(effect, "rule", cli_json_string_or_null(ag_verdict_effect_rule(verdict, index)), &ok);
    set_field(effect, "source", cli_json_string_or_null(ag_verdict_effect_source(verdict, index)), &ok);
    set_field(effect, "span", span_to_json(has_span, start, end), &ok);
    set_field(effect, "command", json_integer((json_int_t)ag_verdict_effect_command(verdict, index)), &ok);
    if (!ok) {
        json_decref(effect);
        return NULL;
    }
    return effect;
}

static json_t *effects_to_json(const ag_verdict *verdict)
{
    json_t *effects = json_array();
    if (effects == NULL) {
        return NULL;
    }

    size_t count = ag_verdict_effect_count(verdict);
    for (size_t i = 0; i < count; i++) {
        if (json_array_append_new(effects, effect_to_json(verdict, i)) != 0) {
            json_decref(effects);
            return NULL;
        }
    }
    return effects;
}

/* Returns the JSON object of a verdict, or NULL when out of memory. */
json_t *cli_verdict_to_json(const ag_verdict *verdict)
{
    json_t *object = json_object();
    if (object == NULL) {
        return NULL;
    }

    size_t start = 0;
    size_t end = 0;
    bool has_span = ag_verdict_span(verdict, &start, &end);
    bool ok = true;

    set_field(object, "decision", json_string(ag_decision_name(ag_verdict_decision(verdict))), &ok);
    set_field(object, "reason", cli_json_string_or_null(ag_verdict_reason(verdict)), &ok);
    set_field(object, "rule", cli_json_string_or_null(ag_verdict_rule(verdict)), &ok);
    set_field(object, "source", cli_json_string_or_null(ag_verdict_source(verdict)), &ok);
    set_field(object, "span", span_to_json(has_span, start, end), &ok);
    set_field(object, "commands", commands_to_json(verdict), &ok);
    set_field(object, "effects", effects_to_json(verdict), &ok);

    ag_status status = ag_verdict_error(verdict);
    if (status != AG_OK) {
        set_field(object, "error", cli_json_string_or_null(ag_verdict_error_message(verdict)),
                  &ok);
        set_field(object, "error_code", json_string(ag_status_name(status)), &ok);
    }

    if (!ok) {
        json_decref(object);
        return NULL;
    }
    return object;
}

/*
 * Returns a deny object for a request that got no verdict (a malformed eval
 * line, or a check the library could not run), with the problem `error` and
 * the status name `code`, or NULL when out of memory.
 */
json_t *cli_failure_to_json(const char *reason, const char *error, const char *code)
{
    json_t *object = json_object();
    if (object == NULL) {
        return NULL;
    }

    bool ok = true;
    set_field(object, "decision", json_string(ag_decision_name(AG_DENY)), &ok);
    set_field(object, "reason", cli_json_string_or_null(reason), &ok);
    set_field(object, "rule", json_null(), &ok);
    set_field(object, "source", json_null(), &ok);
    set_field(object, "span", json_null(), &ok);
    set_field(object, "commands", json_array(), &ok);
    set_field(object, "effects", json_array(), &ok);
    set_field(object, "error", cli_json_string_or_null(error), &ok);
    set_field(object, "error_code", cli_json_string_or_null(code), &ok);

    if (!ok) {
        json_decref(object);
        return NULL;
    }
    return object;
}

/*
 * Prints `object` (or, when it is NULL, a fixed deny line) as one compact line,
 * flushes it because hosts read verdicts as they come, and takes the reference.
 * Returns 0, or -1 when standard output failed.
 */
int cli_print_json_line(json_t *object)
{
    int status = 0;

    if (object == NULL) {
        fputs(out_of_memory_line, stdout);
    } else if (json_dumpf(object, stdout, JSON_COMPACT) != 0) {
        status = -1;
    }
    json_decref(object);

    if (fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
        status = -1;
    }
    return status;
}
