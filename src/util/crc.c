/*
** crc.c -- CRC-32 (ISO-HDLC, as zlib's crc32) over index files.
*/
#include <zlib.h>

#include "ng_int.h"

uint32_t ng__crc32(uint32_t crc, const void *p, size_t n)
{
    const unsigned char *b = p;
    /* zlib takes uInt lengths: feed large regions in pieces */
    while (n > 0) {
        uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = (uint32_t)crc32(crc, b, chunk);
        b += chunk;
        n -= chunk;
    }
    return crc;
}
