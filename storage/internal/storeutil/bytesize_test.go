package storeutil

import "testing"

func TestParseByteSize(t *testing.T) {
	good := map[string]int64{
		"0": 0, "1048576": 1 << 20, "512B": 512, "1KiB": 1024, "64MiB": 64 << 20,
		"2GiB": 2 << 30, "1TiB": 1 << 40, "5KB": 5000, "3MB": 3e6, "1GB": 1e9, "2TB": 2e12,
		"10 MiB": 10 << 20,
	}
	for in, want := range good {
		if got, err := ParseByteSize(in); err != nil || got != want {
			t.Errorf("ParseByteSize(%q) = (%d, %v), want (%d, nil)", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "-1", "1.5MiB", "1mib", "1XB", "ten", "9999999999TiB", "99999999999999999999"} {
		if got, err := ParseByteSize(in); err == nil {
			t.Errorf("ParseByteSize(%q) = %d, want an error", in, got)
		}
	}
}
