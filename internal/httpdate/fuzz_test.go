package httpdate

import (
	"net/http"
	"testing"
	"time"
)

// FuzzParse checks that ParseAt never panics, that what it accepts is a UTC
// time on a whole second that Format writes back in a form ParseAt reads as
// the same instant, and that an accepted IMF-fixdate is also accepted, as the
// same instant, by the standard library. Seeds: testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add("Sun, 06 Nov 1994 08:49:37 GMT")
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseAt(s, now)
		if !ok {
			if !got.IsZero() {
				t.Fatalf("ParseAt(%q) = %v, false; want the zero time", s, got)
			}
			return
		}
		if got.Location() != time.UTC || got.Nanosecond() != 0 {
			t.Fatalf("ParseAt(%q) = %v: not a whole second in UTC", s, got)
		}
		if got.Year() > 9999 { // 9999-12-31 23:59:60 has no IMF-fixdate
			return
		}
		back, ok := ParseAt(Format(got), now)
		if !ok || !back.Equal(got) {
			t.Fatalf("ParseAt(Format(%v)) = %v, %v", got, back, ok)
		}
		if len(s) == len(imfLayout) && s[3] == ',' && s[23:25] != "60" {
			if Format(got) != s {
				t.Fatalf("Format(ParseAt(%q)) = %q", s, Format(got))
			}
			std, err := http.ParseTime(s)
			if err != nil || !std.Equal(got) {
				t.Fatalf("http.ParseTime(%q) = %v, %v; ParseAt = %v", s, std, err, got)
			}
		}
	})
}

// FuzzFormat checks that Parse(Format(t)) is t, to the second, for every time
// an IMF-fixdate can express (years 0 to 9999). Seeds: testdata/fuzz/FuzzFormat.
func FuzzFormat(f *testing.F) {
	f.Add(int64(784111777))
	f.Fuzz(func(t *testing.T, sec int64) {
		const (
			lo = -62167219200 // 0000-01-01T00:00:00Z
			hi = 253402300799 // 9999-12-31T23:59:59Z
		)
		if sec < lo || sec > hi {
			sec = lo + (sec%(hi-lo+1)+(hi-lo+1))%(hi-lo+1)
		}
		tm := time.Unix(sec, 0).UTC()
		s := Format(tm)
		got, ok := ParseAt(s, now)
		if !ok || !got.Equal(tm) {
			t.Fatalf("ParseAt(Format(%v)) = %q -> %v, %v", tm, s, got, ok)
		}
	})
}
