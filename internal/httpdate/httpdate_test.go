package httpdate

import (
	"net/http"
	"testing"
	"time"
)

var now = time.Date(2026, time.March, 15, 12, 0, 0, 0, time.UTC)

func TestParse(t *testing.T) {
	ref := time.Date(1994, time.November, 6, 8, 49, 37, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want time.Time // zero: invalid
	}{
		// The three formats of RFC 9110 §5.6.7.
		{"imf-fixdate", "Sun, 06 Nov 1994 08:49:37 GMT", ref},
		{"rfc850", "Sunday, 06-Nov-94 08:49:37 GMT", ref},
		{"asctime space-padded day", "Sun Nov  6 08:49:37 1994", ref},
		{"asctime two-digit day", "Sun Nov 06 08:49:37 1994", ref},
		{"asctime two-digit day 16", "Wed Nov 16 08:49:37 1994", time.Date(1994, 11, 16, 8, 49, 37, 0, time.UTC)},
		{"every long day name", "Wednesday, 09-Nov-94 08:49:37 GMT", time.Date(1994, 11, 9, 8, 49, 37, 0, time.UTC)},
		{"imf leap day", "Thu, 29 Feb 2024 00:00:00 GMT", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"imf leap day 2000", "Tue, 29 Feb 2000 00:00:00 GMT", time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"imf leap second", "Wed, 31 Dec 2025 23:59:60 GMT", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"imf end of day", "Fri, 31 Dec 9999 23:59:59 GMT", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"imf year 0000", "Sat, 01 Jan 0000 00:00:00 GMT", time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"imf 30 April", "Thu, 30 Apr 2026 00:00:00 GMT", time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)},

		// Exact spacing.
		{"imf two spaces", "Sun, 06 Nov 1994  08:49:37 GMT", time.Time{}},
		{"imf two spaces after comma", "Sun,  06 Nov 1994 08:49:37 GMT", time.Time{}},
		{"imf no space after comma", "Sun,06 Nov 1994 08:49:37 GMT", time.Time{}},
		{"imf one-digit day", "Sun, 6 Nov 1994 08:49:37 GMT", time.Time{}},
		{"imf tab", "Sun, 06 Nov 1994\t08:49:37 GMT", time.Time{}},
		{"imf leading space", " Sun, 06 Nov 1994 08:49:37 GMT", time.Time{}},
		{"imf trailing space", "Sun, 06 Nov 1994 08:49:37 GMT ", time.Time{}},
		{"imf bad separators", "Sun, 06-Nov-1994 08:49:37 GMT", time.Time{}},
		{"imf bad separator after year", "Sun, 06 Nov 1994-08:49:37 GMT", time.Time{}},
		{"imf bad separator after day", "Sun, 06-Nov 1994 08:49:37 GMT", time.Time{}},
		{"imf bad clock separators", "Sun, 06 Nov 1994 08.49.37 GMT", time.Time{}},
		{"imf bad clock separator 2", "Sun, 06 Nov 1994 08:49.37 GMT", time.Time{}},
		{"asctime one space before day", "Sun Nov 6 08:49:37 1994", time.Time{}},
		{"asctime bad separator", "Sun Nov  6 08:49:37-1994", time.Time{}},
		{"asctime bad separator after month", "Sun Nov- 6 08:49:37 1994", time.Time{}},
		{"asctime bad separator after day", "Sun Nov  6-08:49:37 1994", time.Time{}},
		{"rfc850 four-digit year", "Sunday, 06-Nov-1994 08:49:37 GMT", time.Time{}},
		{"rfc850 spaces", "Sunday, 06 Nov 94 08:49:37 GMT", time.Time{}},
		{"rfc850 no space after comma", "Sunday,06-Nov-94 08:49:37 GMT", time.Time{}},
		{"rfc850 two spaces", "Sunday, 06-Nov-94  08:49:37 GMT", time.Time{}},
		{"rfc850 bad dash", "Sunday, 06-Nov_94 08:49:37 GMT", time.Time{}},

		// GMT is required in the first two formats, and only there.
		{"imf UTC", "Sun, 06 Nov 1994 08:49:37 UTC", time.Time{}},
		{"imf +0000", "Sun, 06 Nov 1994 08:49:37 +0000", time.Time{}},
		{"imf lower gmt", "Sun, 06 Nov 1994 08:49:37 gmt", time.Time{}},
		{"rfc850 UTC", "Sunday, 06-Nov-94 08:49:37 UTC", time.Time{}},
		{"asctime with GMT", "Sun Nov  6 08:49:37 1994 GMT", time.Time{}},

		// Case-sensitive names (RFC 9110 §5.6.7).
		{"lower day", "sun, 06 Nov 1994 08:49:37 GMT", time.Time{}},
		{"upper month", "Sun, 06 NOV 1994 08:49:37 GMT", time.Time{}},
		{"rfc850 lower day", "sunday, 06-Nov-94 08:49:37 GMT", time.Time{}},

		// Day name must match the date.
		{"imf wrong weekday", "Mon, 06 Nov 1994 08:49:37 GMT", time.Time{}},
		{"rfc850 wrong weekday", "Monday, 06-Nov-94 08:49:37 GMT", time.Time{}},
		{"asctime wrong weekday", "Mon Nov  6 08:49:37 1994", time.Time{}},
		{"rfc850 short day name", "Sun, 06-Nov-94 08:49:37 GMT", time.Time{}},
		{"imf long day name", "Sunday, 06 Nov 1994 08:49:37 GMT", time.Time{}},
		{"unknown day", "Sux, 06 Nov 1994 08:49:37 GMT", time.Time{}},
		{"asctime unknown day", "Sux Nov  6 08:49:37 1994", time.Time{}},

		// Ranges.
		{"30 February", "Mon, 30 Feb 2026 00:00:00 GMT", time.Time{}},
		{"29 February non-leap", "Sun, 29 Feb 2026 00:00:00 GMT", time.Time{}},
		{"29 February 1900", "Thu, 29 Feb 1900 00:00:00 GMT", time.Time{}},
		{"31 April", "Fri, 31 Apr 2026 00:00:00 GMT", time.Time{}},
		{"day 00", "Sat, 00 Nov 1994 08:49:37 GMT", time.Time{}},
		{"day 32", "Sat, 32 Dec 1994 08:49:37 GMT", time.Time{}},
		{"hour 24", "Sun, 06 Nov 1994 24:00:00 GMT", time.Time{}},
		{"minute 60", "Sun, 06 Nov 1994 08:60:00 GMT", time.Time{}},
		{"second 61", "Sun, 06 Nov 1994 08:49:61 GMT", time.Time{}},
		{"unknown month", "Sun, 06 Nox 1994 08:49:37 GMT", time.Time{}},
		{"non-digit year", "Sun, 06 Nov 19x4 08:49:37 GMT", time.Time{}},
		{"non-digit day", "Sun, 0x Nov 1994 08:49:37 GMT", time.Time{}},
		{"sign in day", "Sun, +6 Nov 1994 08:49:37 GMT", time.Time{}},
		{"non-digit hour", "Sun, 06 Nov 1994 0x:49:37 GMT", time.Time{}},
		{"asctime non-digit day", "Sun Nov  x 08:49:37 1994", time.Time{}},
		{"asctime non-digit year", "Sun Nov  6 08:49:37 19x4", time.Time{}},
		{"asctime unknown month", "Sun Nox  6 08:49:37 1994", time.Time{}},
		{"asctime 31 November", "Thu Nov 31 08:49:37 1994", time.Time{}},
		{"rfc850 unknown month", "Sunday, 06-Nox-94 08:49:37 GMT", time.Time{}},
		{"rfc850 non-digit year", "Sunday, 06-Nov-9x 08:49:37 GMT", time.Time{}},
		{"rfc850 non-digit day", "Sunday, x6-Nov-94 08:49:37 GMT", time.Time{}},

		// Not dates at all.
		{"empty", "", time.Time{}},
		{"zero", "0", time.Time{}},
		{"minus one", "-1", time.Time{}},
		{"unix seconds", "1700000000", time.Time{}},
		{"ISO 8601", "1994-11-06T08:49:37Z", time.Time{}},
		{"RFC 1123Z", "Sun, 06 Nov 1994 08:49:37 +0000", time.Time{}},
		{"long garbage with early comma", "Sunday, garbage garbage garbage", time.Time{}},
		{"comma too late", "Sundayyyyyyyy, 06-Nov-94 08:49:37 GMT", time.Time{}},
		{"29 chars comma at 3", "Sun,xxxxxxxxxxxxxxxxxxxxxxxxx", time.Time{}},
		{"24 chars space at 3", "Sun xxxxxxxxxxxxxxxxxxxx", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseAt(tt.in, now)
			if wantOK := !tt.want.IsZero(); ok != wantOK {
				t.Fatalf("ParseAt(%q) ok = %v, want %v (got %v)", tt.in, ok, wantOK, got)
			}
			if ok && !got.Equal(tt.want) {
				t.Fatalf("ParseAt(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if ok && got.Location() != time.UTC {
				t.Fatalf("ParseAt(%q) location = %v, want UTC", tt.in, got.Location())
			}
		})
	}
}

// TestParseTwoDigitYear covers RFC 9110 §5.6.7: an rfc850-date year that
// appears to be more than 50 years in the future is the most recent past year
// with the same last two digits.
func TestParseTwoDigitYear(t *testing.T) {
	tests := []struct {
		name string
		now  time.Time
		in   string
		year int
	}{
		{"past, this century", now, "Thursday, 01-Jan-09 00:00:00 GMT", 2009},
		{"near future", now, "Monday, 01-Jan-29 00:00:00 GMT", 2029},
		{"49 years ahead", now, "Tuesday, 01-Jan-75 00:00:00 GMT", 2075},
		{"exactly 50 years ahead", now, "Sunday, 15-Mar-76 00:00:00 GMT", 2076},
		{"50 years and a day ahead", now, "Tuesday, 16-Mar-76 00:00:00 GMT", 1976},
		{"50 years and a month ahead", now, "Thursday, 15-Apr-76 00:00:00 GMT", 1976},
		{"more than 50 years ahead", now, "Sunday, 06-Nov-94 08:49:37 GMT", 1994},
		{"far past becomes next century", time.Date(2090, 6, 1, 0, 0, 0, 0, time.UTC), "Friday, 01-Jan-17 00:00:00 GMT", 2117},
		{"now in the 1990s", time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC), "Thursday, 01-Jan-70 00:00:00 GMT", 1970},
		{"leap day resolved after the century", now, "Tuesday, 29-Feb-00 00:00:00 GMT", 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseAt(tt.in, tt.now)
			if !ok || got.Year() != tt.year {
				t.Fatalf("ParseAt(%q, %v) = %v, %v; want year %d", tt.in, tt.now, got, ok, tt.year)
			}
		})
	}
	// The weekday is checked against the resolved century: 01-Jan-76 is 2076
	// (a Wednesday; 1 January 1976 was a Thursday) and 16-Mar-76 is 1976 (a
	// Tuesday; 16 March 2076 is a Monday).
	for in, want := range map[string]bool{
		"Wednesday, 01-Jan-76 00:00:00 GMT": true,
		"Thursday, 01-Jan-76 00:00:00 GMT":  false,
		"Tuesday, 16-Mar-76 00:00:00 GMT":   true,
		"Monday, 16-Mar-76 00:00:00 GMT":    false,
	} {
		if _, ok := ParseAt(in, now); ok != want {
			t.Errorf("ParseAt(%q) ok = %v, want %v", in, ok, want)
		}
	}
}

func TestParseUsesNow(t *testing.T) {
	// Parse resolves two-digit years against the real clock; any century
	// works for this date as long as the weekday matches.
	if _, ok := Parse("Sun, 06 Nov 1994 08:49:37 GMT"); !ok {
		t.Fatal("Parse rejected a valid IMF-fixdate")
	}
	if _, ok := Parse("Sun, 06 Nov 1994 08:49:37 UTC"); ok {
		t.Fatal("Parse accepted UTC")
	}
}

func TestFormat(t *testing.T) {
	loc := time.FixedZone("X", 5*3600)
	tm := time.Date(1994, 11, 6, 13, 49, 37, 123, loc)
	if got, want := Format(tm), "Sun, 06 Nov 1994 08:49:37 GMT"; got != want {
		t.Fatalf("Format = %q, want %q", got, want)
	}
	if got, want := Format(tm), tm.UTC().Format(http.TimeFormat); got != want {
		t.Fatalf("Format = %q, want http.TimeFormat %q", got, want)
	}
	back, ok := Parse(Format(tm))
	if !ok || !back.Equal(tm.Truncate(time.Second)) {
		t.Fatalf("Parse(Format(t)) = %v, %v", back, ok)
	}
}

func TestMod(t *testing.T) {
	if mod(-1, 100) != 99 || mod(101, 100) != 1 {
		t.Fatal("mod")
	}
	// A negative current year still resolves two-digit years.
	if y := fullYear(5, 1, 1, time.Date(-150, 1, 1, 0, 0, 0, 0, time.UTC)); y != -195 {
		t.Fatalf("fullYear = %d", y)
	}
}
