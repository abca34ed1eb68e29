// Package httpdate parses and formats HTTP-date values (RFC 9110 §5.6.7)
// strictly.
//
// Only the three formats RFC 9110 §5.6.7 defines are accepted, byte for byte:
//
//	IMF-fixdate  Sun, 06 Nov 1994 08:49:37 GMT
//	rfc850-date  Sunday, 06-Nov-94 08:49:37 GMT
//	asctime-date Sun Nov  6 08:49:37 1994
//
// HTTP-date is case-sensitive, the spacing is fixed, the day name must be the
// weekday of the date, the date must exist (no 30 February), hours are below
// 24, minutes below 60 and seconds at most 60 (a leap second). Anything else is
// invalid: a cache treats an invalid Expires as a time in the past (RFC 9111
// §5.3), so leniency here would make stale responses fresh. The standard
// library's http.ParseTime is not used because time.Parse accepts invalid
// dates and day names that do not match the date.
package httpdate

import (
	"net/http"
	"time"
)

// Parse parses s as an HTTP-date (RFC 9110 §5.6.7) and reports whether it is
// valid. A two-digit rfc850-date year is resolved against the current time;
// see ParseAt. The result is in UTC.
func Parse(s string) (time.Time, bool) {
	return ParseAt(s, time.Now())
}

// ParseAt is Parse with an explicit current time, which RFC 9110 §5.6.7 needs
// for the two-digit year of rfc850-date: a year that appears to be more than
// 50 years after now means the most recent past year with the same last two
// digits. ParseAt never panics.
func ParseAt(s string, now time.Time) (time.Time, bool) {
	switch {
	case len(s) == len(imfLayout) && s[3] == ',':
		return parseIMF(s)
	case len(s) == len(asctimeLayout) && s[3] == ' ':
		return parseAsctime(s)
	default:
		return parseRFC850(s, now)
	}
}

// Format formats t as an IMF-fixdate (RFC 9110 §5.6.7), the only format a
// sender may generate. It is http.TimeFormat applied to t in UTC, truncated
// to the second; only years 0 to 9999 give a valid HTTP-date.
func Format(t time.Time) string {
	return t.UTC().Format(http.TimeFormat)
}

const (
	imfLayout     = "Sun, 06 Nov 1994 08:49:37 GMT"
	asctimeLayout = "Sun Nov  6 08:49:37 1994"
)

var (
	shortDays = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	longDays  = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	months    = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// parseIMF parses "Sun, 06 Nov 1994 08:49:37 GMT".
func parseIMF(s string) (time.Time, bool) {
	wd, ok := lookup(shortDays[:], s[0:3])
	if !ok || s[3:5] != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[25:] != " GMT" {
		return time.Time{}, false
	}
	day, ok1 := digits(s[5:7])
	month, ok2 := lookup(months[:], s[8:11])
	year, ok3 := digits(s[12:16])
	if !ok1 || !ok2 || !ok3 {
		return time.Time{}, false
	}
	return build(year, month+1, day, s[17:25], wd)
}

// parseAsctime parses "Sun Nov  6 08:49:37 1994" (the day may also be
// written with two digits, "Nov 06", per date3 = month SP ( 2DIGIT / ( SP
// DIGIT ))).
func parseAsctime(s string) (time.Time, bool) {
	wd, ok := lookup(shortDays[:], s[0:3])
	if !ok || s[7] != ' ' || s[10] != ' ' || s[19] != ' ' {
		return time.Time{}, false
	}
	month, ok1 := lookup(months[:], s[4:7])
	var day int
	var ok2 bool
	if s[8] == ' ' {
		day, ok2 = digits(s[9:10])
	} else {
		day, ok2 = digits(s[8:10])
	}
	year, ok3 := digits(s[20:24])
	if !ok1 || !ok2 || !ok3 {
		return time.Time{}, false
	}
	return build(year, month+1, day, s[11:19], wd)
}

// parseRFC850 parses "Sunday, 06-Nov-94 08:49:37 GMT".
func parseRFC850(s string, now time.Time) (time.Time, bool) {
	comma := -1
	for i := 0; i < len(s) && i < 10; i++ {
		if s[i] == ',' {
			comma = i
			break
		}
	}
	if comma < 0 {
		return time.Time{}, false
	}
	wd, ok := lookup(longDays[:], s[:comma])
	rest := s[comma:] // ", 06-Nov-94 08:49:37 GMT"
	if !ok || len(rest) != 24 || rest[:2] != ", " || rest[4] != '-' || rest[8] != '-' ||
		rest[11] != ' ' || rest[20:] != " GMT" {
		return time.Time{}, false
	}
	day, ok1 := digits(rest[2:4])
	month, ok2 := lookup(months[:], rest[5:8])
	yy, ok3 := digits(rest[9:11])
	if !ok1 || !ok2 || !ok3 {
		return time.Time{}, false
	}
	return build(fullYear(yy, month+1, day, now), month+1, day, rest[12:20], wd)
}

// fullYear resolves a two-digit rfc850-date year (RFC 9110 §5.6.7): the latest
// year ending in yy that is not more than 50 years after now. The comparison
// uses the calendar date, so the boundary falls on the same day 50 years on.
func fullYear(yy, month, day int, now time.Time) int {
	now = now.UTC()
	y := now.Year() - mod(now.Year(), 100) + yy
	limit := now.Year() + 50
	after := func(y int) bool { // is (y, month, day) more than 50 years after now?
		if y != limit {
			return y > limit
		}
		if month != int(now.Month()) {
			return month > int(now.Month())
		}
		return day > now.Day()
	}
	if after(y) {
		return y - 100
	}
	if !after(y + 100) {
		return y + 100
	}
	return y
}

func mod(a, b int) int {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// build checks the ranges and the weekday and returns the UTC time.
func build(year, month, day int, clock string, weekday int) (time.Time, bool) {
	// time-of-day = hour ":" minute ":" second, each 2DIGIT.
	if clock[2] != ':' || clock[5] != ':' {
		return time.Time{}, false
	}
	hour, ok1 := digits(clock[0:2])
	minute, ok2 := digits(clock[3:5])
	sec, ok3 := digits(clock[6:8])
	if !ok1 || !ok2 || !ok3 || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, false
	}
	if day < 1 || day > daysIn(year, month) {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, 0, 0, time.UTC)
	if int(t.Weekday()) != weekday {
		return time.Time{}, false
	}
	// A leap second (:60) is the first second of the next minute.
	return t.Add(time.Duration(sec) * time.Second), true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// digits parses an all-ASCII-digit string.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

// lookup returns the index of s in names, compared case-sensitively
// (RFC 9110 §5.6.7: "HTTP-date is case sensitive").
func lookup(names []string, s string) (int, bool) {
	for i, n := range names {
		if n == s {
			return i, true
		}
	}
	return 0, false
}
