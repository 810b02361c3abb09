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
