/*
 * IP address literals in hosts: one canonical spelling per address, so that
 * a WebFetch(domain:127.0.0.1) rule also sees 2130706433, 0x7f.1, 127.1,
 * 0177.0.0.1, [::ffff:127.0.0.1] and the other spellings that URL parsers
 * (WHATWG) and inet_aton() accept for the same address.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "rules/paths.h"

/* Parses one part of an IPv4 literal: decimal, octal with a leading 0, or hex with 0x. */
static bool parse_ipv4_part(const char *text, size_t length, unsigned long long *value)
{
    unsigned base = 10;
    if (length >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text += 2;
        length -= 2;
    } else if (length >= 2 && text[0] == '0') {
        base = 8;
        text++;
        length--;
    } else if (length == 0) {
        return false;
    }
    unsigned long long result = 0;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];
        unsigned digit;
        if (isdigit(c))
            digit = c - '0';
        else if (base == 16 && isxdigit(c))
            digit = (unsigned)(tolower(c) - 'a' + 10);
        else
            return false;
        if (digit >= base)
            return false;
        result = result * base + digit;
        if (result > 0xffffffffULL)
            return false;
    }
    *value = result;
    return true;
}

/* Parses 1 to 4 dot-separated parts as WHATWG and inet_aton() do; the last fills the rest. */
static bool parse_ipv4(const char *text, size_t length, uint32_t *address)
{
    unsigned long long parts[4];
    size_t count = 0;
    size_t start = 0;
    for (size_t i = 0; i <= length; i++) {
        if (i < length && text[i] != '.')
            continue;
        if (count == 4 || !parse_ipv4_part(text + start, i - start, &parts[count]))
            return false;
        count++;
        start = i + 1;
    }
    for (size_t i = 0; i + 1 < count; i++) {
        if (parts[i] > 255)
            return false;
    }
    unsigned long long last = parts[count - 1];
    if (last >= (1ULL << (8 * (5 - count))))
        return false;
    unsigned long long value = last;
    for (size_t i = 0; i + 1 < count; i++)
        value |= parts[i] << (8 * (3 - i));
    *address = (uint32_t)value;
    return true;
}

static void format_ipv4(uint32_t address, char *out)
{
    snprintf(out, AG_HOST_ADDRESS_MAX, "%u.%u.%u.%u", (unsigned)(address >> 24),
             (unsigned)(address >> 16) & 255, (unsigned)(address >> 8) & 255,
             (unsigned)address & 255);
}

static ag_host_kind canonical_ipv6(const char *text, size_t length, char *out)
{
    char buffer[INET6_ADDRSTRLEN + 1];
    if (length == 0 || length >= sizeof(buffer))
        return AG_HOST_BAD_ADDRESS;
    memcpy(buffer, text, length);
    buffer[length] = '\0';
    struct in6_addr address;
    if (inet_pton(AF_INET6, buffer, &address) != 1)
        return AG_HOST_BAD_ADDRESS;
    if (IN6_IS_ADDR_V4MAPPED(&address)) {
        const uint8_t *b = address.s6_addr + 12;
        format_ipv4((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3], out);
        return AG_HOST_ADDRESS;
    }
    char canonical[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, &address, canonical, sizeof(canonical)) == NULL)
        return AG_HOST_BAD_ADDRESS;
    snprintf(out, AG_HOST_ADDRESS_MAX, "[%s]", canonical);
    return AG_HOST_ADDRESS;
}

ag_host_kind ag_host_canonical_address(const char *host, size_t length, char *out)
{
    if (length > 0 && host[0] == '[') {
        if (length < 2 || host[length - 1] != ']')
            return AG_HOST_BAD_ADDRESS;
        return canonical_ipv6(host + 1, length - 2, out);
    }
    if (memchr(host, ':', length) != NULL)
        return canonical_ipv6(host, length, out);

    /* A name whose last label starts with a digit is read as an IPv4 address (WHATWG
     * "ends in a number", widened so that no spelling a resolver accepts slips by). */
    if (length > 0 && host[length - 1] == '.')
        length--;
    size_t last = length;
    while (last > 0 && host[last - 1] != '.')
        last--;
    if (last == length || !isdigit((unsigned char)host[last]))
        return AG_HOST_NAME;
    uint32_t address;
    if (!parse_ipv4(host, length, &address))
        return AG_HOST_BAD_ADDRESS;
    format_ipv4(address, out);
    return AG_HOST_ADDRESS;
}

/* ------------------------------------------------- address patterns in rules */

static const char IPV4_PARTS[] =
    "an IP address is compared as four dot-separated decimal parts, such as 172.16.0.1, and "
    "'*' matches exactly one part, so this pattern never matches an address";
static const char IPV4_OPEN_PARTS[] =
    "an IP address is compared as four dot-separated decimal parts, such as 172.16.0.1, and "
    "'*.' stands for at least one of them, so this pattern never matches an address";
static const char IPV4_DECIMAL[] =
    "an IP address is compared in decimal without leading zeros, such as 172.16.0.1, so a "
    "part written another way or above 255 never matches";
static const char BAD_ADDRESS[] =
    "the host is read as an IP address, because its last label starts with a digit or it "
    "contains ':', but it is not a valid one, so no host matches it";
static const char IPV6_BRACKETS[] =
    "an IPv6 address is compared in brackets, such as [fe80::1], so this pattern without "
    "them never matches";
static const char IPV6_MAPPED[] =
    "an IPv4-mapped IPv6 address is compared in its IPv4 form, such as 10.0.0.1, so this "
    "pattern never matches";
static const char IPV6_SHORTEST[] =
    "an IPv6 address is compared in its shortest form (RFC 5952), where '::' replaces the "
    "longest run of zero groups, so a '*' after '::', after a zero group or inside a group "
    "misses addresses that the pattern seems to name";

/* Returns whether a pattern with a '*' is an IPv4 pattern: digits, dots and '*' with a digit. */
static bool is_ipv4_pattern(const char *pattern)
{
    bool digit = false;
    for (const char *p = pattern; *p != '\0'; p++) {
        if (isdigit((unsigned char)*p))
            digit = true;
        else if (*p != '*' && *p != '.')
            return false;
    }
    return digit;
}

/* Returns whether a label without '*' is a decimal 0 to 255 as format_ipv4() writes it. */
static bool is_decimal_octet(const char *label, size_t length)
{
    if (length == 0 || length > 3 || (length > 1 && label[0] == '0'))
        return false;
    unsigned value = 0;
    for (size_t i = 0; i < length; i++)
        value = value * 10 + (unsigned)(label[i] - '0');
    return value <= 255;
}

/*
 * Checks an IPv4 pattern such as 172.16.*.*. Without a leading "*." it must
 * have four labels, because labels_match() in paths.c compares label by label.
 * "*.REST" matches one or more labels before REST, so REST may have at most three.
 */
static const char *ipv4_pattern_problem(const char *pattern, char *advice, size_t size)
{
    bool open = strncmp(pattern, "*.", 2) == 0;
    size_t count = 0;
    const char *label = open ? pattern + 2 : pattern;
    for (bool more = true; more; count++) {
        size_t length = strcspn(label, ".");
        if (memchr(label, '*', length) == NULL && !is_decimal_octet(label, length)) {
            snprintf(advice, size, "write each part as a number from 0 to 255 without "
                                   "leading zeros");
            return IPV4_DECIMAL;
        }
        more = label[length] == '.';
        if (more)
            label += length + 1;
    }

    if (open ? count <= 3 : count == 4)
        return NULL;
    if (open) {
        snprintf(advice, size, "write at most three parts after '*.', such as domain:*.0.0.1");
        return IPV4_OPEN_PARTS;
    }
    size_t length = strlen(pattern);
    bool padded = count < 4 && pattern[length - 1] == '*'
                  && (length == 1 || pattern[length - 2] == '.');
    if (padded) {
        snprintf(advice, size, "write domain:%s%s", pattern, &".*.*.*"[2 * (count - 1)]);
        return IPV4_PARTS;
    }
    snprintf(advice, size, "write four parts, such as domain:172.16.*.*");
    return IPV4_PARTS;
}

/* Returns whether `group` is a non-zero group as inet_ntop() writes it; patterns are lowercase. */
static bool is_nonzero_group(const char *group, size_t length)
{
    if (length == 0 || length > 4 || group[0] == '0')
        return false;
    for (size_t i = 0; i < length; i++) {
        if (!isxdigit((unsigned char)group[i]))
            return false;
    }
    return true;
}

/*
 * Checks an IPv6 pattern. The only form whose glob matches exactly the
 * addresses it names is [G1:...:Gk:*] with k whole non-zero groups: the
 * shortest form of every address with that prefix starts with "G1:...:Gk:",
 * and no other address's does. The advice names that form for the leading
 * groups written, or advises listing the addresses when there are none.
 */
static const char *ipv6_pattern_problem(const char *pattern, char *advice, size_t size)
{
    size_t length = strlen(pattern);
    bool bracketed = length >= 2 && pattern[0] == '[' && pattern[length - 1] == ']';
    const char *inner = bracketed ? pattern + 1 : pattern;
    size_t inner_length = bracketed ? length - 2 : length;

    size_t prefix = 0;    /* bytes of the leading whole non-zero groups, with their ':' */
    size_t groups = 0;
    for (;;) {
        size_t group = strcspn(inner + prefix, ":]");
        if (prefix + group >= inner_length || inner[prefix + group] != ':' || groups == 7
            || !is_nonzero_group(inner + prefix, group))
            break;
        prefix += group + 1;
        groups++;
    }
    bool exact = prefix + 1 == inner_length && inner[prefix] == '*';
    if (exact && bracketed)
        return NULL;

    if (groups > 0)
        snprintf(advice, size, "write domain:[%.*s*] for every address that starts with %s",
                 (int)prefix, inner, groups == 1 ? "that group" : "those groups");
    else
        snprintf(advice, size, "list the addresses one by one, such as domain:[fe80::1]");
    if (memchr(inner, '.', inner_length) != NULL) {
        snprintf(advice, size, "write an IPv4 pattern, such as domain:10.0.0.*");
        return IPV6_MAPPED;
    }
    return exact || !bracketed ? IPV6_BRACKETS : IPV6_SHORTEST;
}

const char *ag_host_pattern_problem(const char *pattern, char *advice, size_t size)
{
    advice[0] = '\0';
    size_t length = strlen(pattern);
    if (memchr(pattern, '*', length) == NULL) {
        char address[AG_HOST_ADDRESS_MAX];
        if (ag_host_canonical_address(pattern, length, address) != AG_HOST_BAD_ADDRESS)
            return NULL;
        snprintf(advice, size, "write an IPv4 address such as 172.16.0.1, an IPv6 address "
                               "such as [fe80::1], or a host name without a port");
        return BAD_ADDRESS;
    }
    if (strpbrk(pattern, ":[]") != NULL)
        return ipv6_pattern_problem(pattern, advice, size);
    if (is_ipv4_pattern(pattern))
        return ipv4_pattern_problem(pattern, advice, size);
    return NULL;
}
