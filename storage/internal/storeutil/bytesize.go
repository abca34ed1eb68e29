package storeutil

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// byteUnits are the suffixes ParseByteSize accepts, longest first so that
// "MiB" is not read as "B".
var byteUnits = []struct {
	suffix string
	size   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
	{"B", 1},
}

// ParseByteSize reads a size such as "1048576", "512KiB" or "64MB": a whole
// number, optionally followed by a unit (binary KiB/MiB/GiB/TiB, decimal
// KB/MB/GB/TB, or B).
func ParseByteSize(s string) (int64, error) {
	number, unit := s, int64(1)
	for _, u := range byteUnits {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			number, unit = strings.TrimSpace(rest), u.size
			break
		}
	}
	n, err := strconv.ParseInt(number, 10, 64)
	if err != nil || n < 0 {
		return 0, errors.New("not a size; want a whole number of bytes, optionally with a unit (KiB, MiB, GiB, TiB, KB, MB, GB, TB or B), such as 10MiB; 0 for no limit")
	}
	if n > math.MaxInt64/unit {
		return 0, errors.New("too large a size; the most is 9223372036854775807 bytes (8 EiB)")
	}
	return n * unit, nil
}
