package redisstore

import "fmt"

// DefaultCacheName is the cache_name used when [Options.CacheName] is empty.
const DefaultCacheName = "http_cache"

// Options configure a store. A nil *Options means all defaults.
type Options struct {
	// CacheName is the namespace: every key the store writes starts with
	// CacheName followed by ":". Default "http_cache".
	CacheName string

	// ScanCount is the COUNT hint of each SCAN that Keys, Values, Size and
	// Clear send: how many keys Redis looks at per round trip. Default 1000.
	ScanCount int

	// ValuesBatch is how many values Values fetches in one round trip (a
	// pipeline of GETs). Larger is faster and holds more values in memory at
	// once. Default 50.
	ValuesBatch int
}

func (o *Options) withDefaults() (Options, error) {
	var out Options
	if o != nil {
		out = *o
	}
	if out.CacheName == "" {
		out.CacheName = DefaultCacheName
	}
	switch {
	case out.ScanCount < 0:
		return out, fmt.Errorf("redisstore: Options.ScanCount is %d, want 0 (default) or more", out.ScanCount)
	case out.ScanCount == 0:
		out.ScanCount = 1000
	}
	switch {
	case out.ValuesBatch < 0:
		return out, fmt.Errorf("redisstore: Options.ValuesBatch is %d, want 0 (default) or more", out.ValuesBatch)
	case out.ValuesBatch == 0:
		out.ValuesBatch = 50
	}
	return out, nil
}
