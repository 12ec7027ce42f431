/*
** date.c -- calendar dates as days since 1970-01-01 (proleptic Gregorian).
**
** Articles carry ISO 8601 dates ("2022-02-01", "2022-02-01T10:30:00Z");
** the index keeps the day only, as a signed day number, so that date
** filters, sorting and recency decay are integer comparisons.
*/
#include "ng_int.h"

/* Days from 1970-01-01 to y-m-d (Howard Hinnant's days_from_civil, an
** algorithm reimplemented here: eras of 400 years, March-based years). */
int32_t ng__days_from_civil(int y, unsigned m, unsigned d)
{
    int era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

void ng__civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d)
{
    int era;
    unsigned doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)yoe + era * 400 + (*m <= 2);
}

static unsigned month_days(int y, unsigned m)
{
    static const unsigned char n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : n[m - 1];
}

static int digits(const char *s, size_t n, size_t at, size_t k, unsigned *v)
{
    size_t i;
    *v = 0;
    if (at + k > n) return 0;
    for (i = 0; i < k; i++) {
        if (s[at + i] < '0' || s[at + i] > '9') return 0;
        *v = *v * 10 + (unsigned)(s[at + i] - '0');
    }
    return 1;
}

int ng__date_parse(const char *s, size_t n, ng_date_span *out)
{
    unsigned y, m = 1, d = 1;
    int prec;
    if (!digits(s, n, 0, 4, &y) || y < 1) return NG_EINVAL;
    prec = NG_DATE_YEAR;
    if (n > 4 && s[4] == '-') {
        if (!digits(s, n, 5, 2, &m) || m < 1 || m > 12) return NG_EINVAL;
        prec = NG_DATE_MONTH;
        if (n > 7 && s[7] == '-') {
            if (!digits(s, n, 8, 2, &d) || d < 1 || d > month_days((int)y, m)) return NG_EINVAL;
            prec = NG_DATE_DAY;
        }
    }
    out->first = ng__days_from_civil((int)y, m, d);
    if (prec == NG_DATE_DAY) out->last = out->first;
    else if (prec == NG_DATE_MONTH) out->last = out->first + (int32_t)month_days((int)y, m) - 1;
    else out->last = ng__days_from_civil((int)y + 1, 1, 1) - 1;
    out->precision = prec;
    out->consumed = prec == NG_DATE_DAY ? 10 : prec == NG_DATE_MONTH ? 7 : 4;
    return NG_OK;
}

int32_t ng__doc_date(const char *s, size_t n)
{
    ng_date_span sp;
    if (!s || n < 10 || ng__date_parse(s, n, &sp) != NG_OK || sp.precision != NG_DATE_DAY)
        return NG_DATE_NONE;
    /* "2022-02-01" alone or followed by a time ("T10:00Z", " 10:00") */
    if (n > 10 && s[10] != 'T' && s[10] != 't' && s[10] != ' ') return NG_DATE_NONE;
    return sp.first;
}
