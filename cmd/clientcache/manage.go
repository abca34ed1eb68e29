package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/clientcache/clientcache"
	"github.com/clientcache/clientcache/storage"
)

// The management commands: each opens the cache, does one thing with its
// clientcache.Cache and closes it.

var urlsCommand = &command{
	name:    "urls",
	summary: "list the URLs of the stored responses, sorted",
	help: `By default only the URLs of fresh (unexpired) responses are listed; --expired
lists the expired ones too. Credentials and ignored parameters appear redacted,
as they are stored.
`,
	flags: "  --expired             include the URLs whose responses have expired\n",
	run:   runURLs,
}

var deleteCommand = &command{
	name:     "delete",
	synopsis: "URL...",
	summary:  "delete the stored responses to GET and HEAD of each URL",
	help: `Redirects that led to them are forgotten too. URLs that are not cached are
named, and not an error. A URL whose query carries credentials (api_key=...,
or a --credential name) is found with the --credential names it was stored
with.
`,
	keyed: true,
	run:   runDelete,
}

var clearCommand = &command{
	name:    "clear",
	summary: "delete every stored response and redirect",
	run:     runClear,
}

var pruneCommand = &command{
	name:    "prune",
	summary: "delete the expired responses and print how many",
	run:     runPrune,
}

var statsCommand = &command{
	name:    "stats",
	summary: "print the number of stored responses, their bytes, how many expired, and the budget",
	help: "bytes is the size of the stored entries (bodies, headers and metadata). budget is\n" +
		"the store's size limit (max_bytes, max_entries) and how much of it is used, or none.\n",
	run: runStats,
}

// managed is a cache opened for a management command.
type managed struct {
	cache   *clientcache.Cache
	backend *storage.Backend
	where   string // the cache URL, redacted
}

// parseManaged parses args for c (with extra flags already defined on fs),
// checks the number of arguments and opens the cache.
func parseManaged(ctx context.Context, e *env, c *command, args []string, nargs func(int) bool, define func(fs *flag.FlagSet)) (*managed, []string, error) {
	fs, common := newFlagSet(c)
	if define != nil {
		define(fs)
	}
	pos, err := parseArgs(e, c, fs, common, args)
	if err != nil {
		return nil, nil, err
	}
	if !nargs(len(pos)) {
		return nil, nil, wrongArgs(c, pos)
	}
	where, err := cacheURL(common.cache)
	if err != nil {
		return nil, nil, err
	}
	b, err := openCache(ctx, where, false, e.logger)
	if err != nil {
		return nil, nil, err
	}
	t, err := clientcache.NewTransport(b, &clientcache.Options{Credentials: common.credentials,
		ShareAcrossCredentials: common.shareCredentials, Logger: e.logger})
	if err != nil {
		_ = b.Close()
		return nil, nil, optionsError(c, err)
	}
	return &managed{cache: t.Cache(), backend: b, where: redactURL(where)}, pos, nil
}

func (m *managed) close(e *env) {
	if err := m.backend.Close(); err != nil {
		e.logger.Warn("clientcache: closing the cache failed", "err", err)
	}
}

func wrongArgs(c *command, pos []string) error {
	switch {
	case c.synopsis == "":
		return usagef("%s takes no arguments, got %q", c.name, strings.Join(pos, " "))
	case len(pos) == 0:
		return usagef("%s: missing %s; usage: clientcache %s [flags] %s", c.name, c.synopsis, c.name, c.synopsis)
	}
	return usagef("%s: too many arguments (%d); usage: clientcache %s [flags] %s", c.name, len(pos), c.name, c.synopsis)
}

func none(n int) bool     { return n == 0 }
func one(n int) bool      { return n == 1 }
func atLeast1(n int) bool { return n >= 1 }

func runURLs(ctx context.Context, e *env, c *command, args []string) error {
	var expired bool
	m, _, err := parseManaged(ctx, e, c, args, none, func(fs *flag.FlagSet) {
		fs.BoolVar(&expired, "expired", false, "")
	})
	if err != nil {
		return err
	}
	defer m.close(e)
	list := m.cache.UnexpiredURLs
	if expired {
		list = m.cache.URLs
	}
	urls, err := list(ctx)
	if err != nil {
		return err
	}
	slices.Sort(urls)
	var b strings.Builder
	for _, u := range urls {
		b.WriteString(u)
		b.WriteByte('\n')
	}
	_, err = fmt.Fprint(e.stdout, b.String())
	return err
}

func runDelete(ctx context.Context, e *env, c *command, args []string) error {
	m, pos, err := parseManaged(ctx, e, c, args, atLeast1, nil)
	if err != nil {
		return err
	}
	defer m.close(e)
	var missing []string
	for _, u := range pos {
		if _, err := url.Parse(u); err != nil {
			return usagef("delete: %q is not a URL: %v", u, unwrapURLError(err))
		}
		ok, err := m.cache.ContainsURL(ctx, u)
		if err != nil {
			return err
		}
		if !ok {
			missing = append(missing, u)
		}
	}
	if err := m.cache.DeleteURLs(ctx, pos...); err != nil {
		return err
	}
	msg := fmt.Sprintf("deleted %s", plural(len(pos)-len(missing), "URL"))
	if len(missing) > 0 {
		msg += "; not cached: " + strings.Join(missing, " ")
	}
	_, err = fmt.Fprintln(e.stdout, msg)
	return err
}

func runClear(ctx context.Context, e *env, c *command, args []string) error {
	m, _, err := parseManaged(ctx, e, c, args, none, nil)
	if err != nil {
		return err
	}
	defer m.close(e)
	n, err := m.cache.Size(ctx)
	if err != nil {
		return err
	}
	if err := m.cache.Clear(ctx); err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "deleted %s\n", plural(n, "response"))
	return err
}

func runPrune(ctx context.Context, e *env, c *command, args []string) error {
	m, _, err := parseManaged(ctx, e, c, args, none, nil)
	if err != nil {
		return err
	}
	defer m.close(e)
	n, err := m.cache.DeleteExpired(ctx)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "deleted %s\n", plural(n, "expired response"))
	return err
}

// cacheStats are what stats prints.
type cacheStats struct {
	responses, expired, redirects int
	bytes                         int64
}

func runStats(ctx context.Context, e *env, c *command, args []string) error {
	m, _, err := parseManaged(ctx, e, c, args, none, nil)
	if err != nil {
		return err
	}
	defer m.close(e)
	var st cacheStats
	now := time.Now()
	for r, err := range m.cache.Responses(ctx) {
		if err != nil {
			return err
		}
		st.responses++
		st.bytes += int64(r.Size)
		if r.IsExpired(now) {
			st.expired++
		}
	}
	if st.redirects, err = m.cache.Aliases(ctx); err != nil {
		return fmt.Errorf("clientcache: stats: counting redirects: %w", err)
	}
	budget, hasBudget, err := m.cache.Budget(ctx)
	if err != nil {
		return fmt.Errorf("clientcache: stats: reading the budget: %w", err)
	}
	_, err = fmt.Fprintf(e.stdout, "cache:     %s\nresponses: %d\nexpired:   %d\nbytes:     %d (%s)\nredirects: %d\nbudget:    %s\n",
		m.where, st.responses, st.expired, st.bytes, humanBytes(st.bytes), st.redirects, budgetLine(budget, hasBudget))
	return err
}

// budgetLine says what the store's budget is and how full it is: "10.0 MiB,
// 42% used; 1000 entries, 17% used", or "none".
func budgetLine(b storage.Budget, ok bool) string {
	var parts []string
	if ok && b.MaxBytes > 0 {
		parts = append(parts, fmt.Sprintf("%s, %d%% used", humanBytes(b.MaxBytes), b.Bytes*100/b.MaxBytes))
	}
	if ok && b.MaxEntries > 0 {
		parts = append(parts, fmt.Sprintf("%d entries, %d%% used", b.MaxEntries, b.Entries*100/b.MaxEntries))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

// plural returns "1 response", "2 responses".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// humanBytes formats n in binary units: "512 B", "1.5 KiB", "3.2 MiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/unit, 0
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTP"[i])
}
