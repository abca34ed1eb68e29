package main

import (
	"flag"
	"strconv"
	"strings"
	"time"

	"github.com/clientcache/clientcache"
)

// outageFlags are the flags of get and proxy that say what to do when the
// origin or the store fails.
type outageFlags struct {
	staleIfError, staleIfUnreachable, storeTimeout string
}

// outageFlagsHelp describes outageFlags, for the usage of get and proxy.
const outageFlagsHelp = `  --stale-if-error D    when the origin cannot be reached or answers with a 5xx
                        error, serve a stored response up to D after it went
                        stale (a Go duration or a number of seconds). Cache-Status
                        then says detail=stale-if-error. Default: 0 (never)
  --stale-if-unreachable D
                        the same, only when the origin cannot be reached at all
                        (a 5xx is then passed on); detail=stale-if-unreachable
  --store-timeout D     the most a request waits for each store operation; a
                        store slower than that, or failing, is skipped until it
                        answers again. Default: the store's own (Redis 50ms,
                        MongoDB 100ms, DynamoDB 250ms, SQLite 2s)
`

func (o *outageFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&o.staleIfError, "stale-if-error", "", "")
	fs.StringVar(&o.staleIfUnreachable, "stale-if-unreachable", "", "")
	fs.StringVar(&o.storeTimeout, "store-timeout", "", "")
}

// apply checks the flags and sets what they say in opts.
func (o *outageFlags) apply(c *command, opts *clientcache.Options) error {
	for _, f := range []struct {
		name, value string
		to          *time.Duration
	}{
		{"stale-if-error", o.staleIfError, &opts.StaleIfError},
		{"stale-if-unreachable", o.staleIfUnreachable, &opts.StaleIfUnreachable},
		{"store-timeout", o.storeTimeout, &opts.StoreTimeout},
	} {
		d, err := parseBound(f.value)
		if err != nil {
			return usagef("%s: --%s %q: want a duration such as 30s or 1h, or a number of seconds", c.name, f.name, f.value)
		}
		*f.to = d
	}
	return nil
}

// parseBound reads a duration flag: "" (not given: 0), a Go duration or a
// number of seconds, not negative.
func parseBound(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		secs, serr := strconv.ParseFloat(s, 64)
		if serr != nil || secs > float64(1<<62)/float64(time.Second) {
			return 0, err
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d < 0 {
		return 0, strconv.ErrRange
	}
	return d, nil
}
