/*
 * Build-time tool: parses effects.yaml with the library's own parser and
 * writes the table as static C data (ag_effects_table_builtin()), so building a policy
 * does not parse YAML. Parsing the table took 8.6M of the 16.5M instructions
 * of one `agentguard hook claude` run (callgrind, debugoptimized build).
 *
 * Usage: effects-compile INPUT.yaml OUTPUT.c
 * An invalid table fails the build with the parser's message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "effects/effects.h"

static void write_string(FILE *out, const char *text)
{
    if (text == NULL) {
        fputs("NULL", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(out, "\\%03o", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/*
 * Writes the arrays that `spec` points to, named after `id`, before the spec
 * itself is written by its parent, because C needs each array defined before
 * an initializer takes its address.
 */
static void write_arrays(FILE *out, const ag_effect_spec *spec, const char *id)
{
    if (spec->option_count > 0) {
        fprintf(out, "static ag_effect_option %s_options[] = {\n", id);
        for (size_t i = 0; i < spec->option_count; i++) {
            fputs("    {", out);
            write_string(out, spec->options[i].name);
            fprintf(out, ", (ag_option_kind)%d, (ag_effect_role)%d},\n",
                    (int)spec->options[i].kind, (int)spec->options[i].role);
        }
        fputs("};\n", out);
    }
    if (spec->operand_count > 0) {
        fprintf(out, "static ag_effect_role %s_operands[] = {", id);
        for (size_t i = 0; i < spec->operand_count; i++)
            fprintf(out, "(ag_effect_role)%d, ", (int)spec->operands[i]);
        fputs("};\n", out);
    }
    if (spec->assignment_count > 0) {
        fprintf(out, "static ag_effect_assignment %s_assignments[] = {\n", id);
        for (size_t i = 0; i < spec->assignment_count; i++) {
            fputs("    {", out);
            write_string(out, spec->assignments[i].key);
            fprintf(out, ", (ag_effect_role)%d},\n", (int)spec->assignments[i].role);
        }
        fputs("};\n", out);
    }
    if (spec->link_option_count > 0) {
        fprintf(out, "static char *%s_link_options[] = {", id);
        for (size_t i = 0; i < spec->link_option_count; i++) {
            write_string(out, spec->link_options[i]);
            fputs(", ", out);
        }
        fputs("};\n", out);
    }
}

static void write_word_list_array(FILE *out, const ag_word_list *list, const char *id,
                                  const char *suffix)
{
    if (list->count == 0)
        return;
    fprintf(out, "static char *%s_%s[] = {", id, suffix);
    for (size_t i = 0; i < list->count; i++) {
        write_string(out, list->items[i]);
        fputs(", ", out);
    }
    fputs("};\n", out);
}

/* Writes the arrays of the word-list keys (tree, runs_files, ...), which write_arrays() leaves out. */
static void write_walk_arrays(FILE *out, const ag_effect_spec *spec, const char *id)
{
    write_word_list_array(out, &spec->tree_options, id, "tree_options");
    write_word_list_array(out, &spec->follow_options, id, "follow_options");
    write_word_list_array(out, &spec->no_follow_options, id, "no_follow_options");
    write_word_list_array(out, &spec->runs_files, id, "runs_files");
    write_word_list_array(out, &spec->anywhere_options, id, "anywhere_options");
    write_word_list_array(out, &spec->no_anywhere_options, id, "no_anywhere_options");
    write_word_list_array(out, &spec->default_read_options, id, "default_read_options");
    write_word_list_array(out, &spec->writes, id, "writes");
}

static void write_word_list(FILE *out, const char *field, const ag_word_list *list,
                            const char *id, const char *suffix)
{
    fprintf(out, ", .%s = {", field);
    if (list->count > 0)
        fprintf(out, "%s_%s", id, suffix);
    else
        fputs("NULL", out);
    fprintf(out, ", %zu}", list->count);
}

static void write_spec(FILE *out, const ag_effect_spec *spec, const char *id);

/* Writes the arrays of every spec in `specs`, then the array of specs. */
static void write_spec_array(FILE *out, const ag_effect_spec *specs, size_t count,
                             const char *id)
{
    char child[256];
    for (size_t i = 0; i < count; i++) {
        snprintf(child, sizeof(child), "%s_%zu", id, i);
        write_arrays(out, &specs[i], child);
        write_walk_arrays(out, &specs[i], child);
        if (specs[i].subcommand_count > 0) {
            snprintf(child, sizeof(child), "%s_%zu_sub", id, i);
            write_spec_array(out, specs[i].subcommands, specs[i].subcommand_count, child);
        }
        if (specs[i].module_count > 0) {
            snprintf(child, sizeof(child), "%s_%zu_modules", id, i);
            write_spec_array(out, specs[i].modules, specs[i].module_count, child);
        }
    }
    fprintf(out, "static ag_effect_spec %s[] = {\n", id);
    for (size_t i = 0; i < count; i++) {
        snprintf(child, sizeof(child), "%s_%zu", id, i);
        write_spec(out, &specs[i], child);
    }
    fputs("};\n\n", out);
}

static void write_pointer(FILE *out, bool present, const char *id, const char *suffix)
{
    if (present)
        fprintf(out, "%s_%s", id, suffix);
    else
        fputs("NULL", out);
}

/* Designated initializers, so that a reordered struct cannot shift fields. */
static void write_spec(FILE *out, const ag_effect_spec *spec, const char *id)
{
    fputs("    {.name = ", out);
    write_string(out, spec->name);
    fputs(", .options = ", out);
    write_pointer(out, spec->option_count > 0, id, "options");
    fprintf(out, ", .option_count = %zu, .operands = ", spec->option_count);
    write_pointer(out, spec->operand_count > 0, id, "operands");
    fprintf(out, ", .operand_count = %zu, .repeat_last = %d, .has_last = %d, "
                 ".last = (ag_effect_role)%d, .assignments = ",
            spec->operand_count, spec->repeat_last, spec->has_last, (int)spec->last);
    write_pointer(out, spec->assignment_count > 0, id, "assignments");
    fprintf(out, ", .assignment_count = %zu, .remote_operands = %d, .pathspecs = %d, "
                 ".options_first = %d, .single_dash_long = %d, .exact_long_options = %d, "
                 ".stop_at_option = %d, .default_write = ",
            spec->assignment_count, spec->remote_operands, spec->pathspecs, spec->options_first,
            spec->single_dash_long, spec->exact_long_options, spec->stop_at_option);
    write_string(out, spec->default_write);
    fprintf(out, ", .dashless_first = %d, .short_equals = %d, .minus_negates = %d, "
                 ".strict_options = %d",
            spec->dashless_first, spec->short_equals, spec->minus_negates, spec->strict_options);
    fprintf(out, ", .revisions_before_dash_dash = %d", spec->revisions_before_dash_dash);
    fputs(", .default_unpack = ", out);
    write_string(out, spec->default_unpack);
    fputs(", .default_network = ", out);
    write_string(out, spec->default_network);
    fprintf(out, ", .handler = (ag_effect_handler)%d, .subcommands = ", (int)spec->handler);
    write_pointer(out, spec->subcommand_count > 0, id, "sub");
    fprintf(out, ", .subcommand_count = %zu, .subcommands_anywhere = %d",
            spec->subcommand_count, spec->subcommands_anywhere);
    fprintf(out, ", .makes_links = (ag_link_mode)%d, .link_options = ", (int)spec->makes_links);
    write_pointer(out, spec->link_option_count > 0, id, "link_options");
    fprintf(out, ", .link_option_count = %zu, .modules = ", spec->link_option_count);
    write_pointer(out, spec->module_count > 0, id, "modules");
    fprintf(out, ", .module_count = %zu, .tree = (ag_tree_mode)%d, .follows_links = %d",
            spec->module_count, (int)spec->tree, spec->follows_links);
    write_word_list(out, "tree_options", &spec->tree_options, id, "tree_options");
    write_word_list(out, "follow_options", &spec->follow_options, id, "follow_options");
    write_word_list(out, "no_follow_options", &spec->no_follow_options, id, "no_follow_options");
    write_word_list(out, "runs_files", &spec->runs_files, id, "runs_files");
    fprintf(out, ", .writes_anywhere = %d", spec->writes_anywhere);
    write_word_list(out, "anywhere_options", &spec->anywhere_options, id, "anywhere_options");
    write_word_list(out, "no_anywhere_options", &spec->no_anywhere_options, id,
                    "no_anywhere_options");
    fprintf(out, ", .writes_no_code = %d, .loads_node_modules = %d, .loads_site_packages = %d",
            spec->writes_no_code, spec->loads_node_modules, spec->loads_site_packages);
    fprintf(out, ", .copies_into = (ag_copy_mode)%d", (int)spec->copies_into);
    fputs(", .default_read = ", out);
    write_string(out, spec->default_read);
    write_word_list(out, "default_read_options", &spec->default_read_options, id,
                    "default_read_options");
    write_word_list(out, "writes", &spec->writes, id, "writes");
    fputs("},\n", out);
}

static char *read_all(const char *path, size_t *length)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    size_t capacity = 1 << 16, used = 0, got;
    char *text = malloc(capacity);
    while (text != NULL && (got = fread(text + used, 1, capacity - used, file)) > 0) {
        used += got;
        if (used == capacity) {
            char *grown = realloc(text, capacity *= 2);
            if (grown == NULL)
                free(text);
            text = grown;
        }
    }
    fclose(file);
    *length = used;
    return text;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: effects-compile INPUT.yaml OUTPUT.c\n");
        return 2;
    }
    size_t length = 0;
    char *text = read_all(argv[1], &length);
    if (text == NULL) {
        fprintf(stderr, "effects-compile: cannot read %s\n", argv[1]);
        return 1;
    }
    ag_error *error = NULL;
    ag_effects_table *table = ag_effects_table_parse(argv[1], text, length, &error);
    free(text);
    if (table == NULL) {
        fprintf(stderr, "%s\n", ag_error_message(error));
        return 1;
    }

    FILE *out = fopen(argv[2], "w");
    if (out == NULL) {
        fprintf(stderr, "effects-compile: cannot write %s\n", argv[2]);
        return 1;
    }
    fputs("/* Generated from effects.yaml by effects-compile; do not edit. */\n"
          "#include \"effects/effects.h\"\n\n", out);
    write_spec_array(out, table->specs, table->spec_count, "spec");
    fprintf(out, "static const ag_effects_table builtin = {spec, %zu, {", table->spec_count);
    for (size_t i = 0; i < AG_EFFECTS_NAME_SLOTS; i++)
        fprintf(out, "%s%u,", i % 16 == 0 ? "\n    " : " ", (unsigned)table->name_slots[i]);
    fputs("}};\n\n"
          "const ag_effects_table *ag_effects_table_builtin(void)\n"
          "{\n    return &builtin;\n}\n", out);
    ag_effects_table_free(table);
    return fclose(out) == 0 ? 0 : 1;
}
