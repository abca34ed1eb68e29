package sqlitestore

import (
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

// DefaultBusyTimeout is the busy timeout of a database that Open opens when
// neither Options.BusyTimeout nor a busy_timeout pragma sets one.
const DefaultBusyTimeout = 5 * time.Second

// DefaultTimeout is the storage.Backend.Timeout that Open and New set when
// Options.Timeout is zero: the longest the core lets one store operation of
// a request (a read, a write, a delete) take before it gives up on the store
// for that request.
//
// Why 2s: the database is a local file, so an operation takes microseconds
// (a hit) to tens of milliseconds (a write of a large body); what can take
// longer is waiting for a lock that another connection or process holds,
// which is what the busy timeout bounds (DefaultBusyTimeout, 5s). The
// driver's lock waits end when the operation's context does, so this
// deadline cuts such a wait short: a request waits at most 2s for a busy
// cache, and then goes to the network, rather than 5s. It stays well above
// any lock a healthy cache holds (the longest is a Clear's, which frees the
// file's space too).
const DefaultTimeout = 2 * time.Second

// Options configure Open and New. A nil *Options means all defaults.
type Options struct {
	// BusyTimeout is how long a statement waits for a lock that another
	// connection or process holds before failing with "database is locked".
	// A negative value means not to wait. A busy_timeout pragma in the URI
	// replaces it; New ignores it (the caller's *sql.DB decides). Default:
	// DefaultBusyTimeout (5s).
	BusyTimeout time.Duration

	// ReadOnly opens the cache read-only, as mode=ro in the URI does: reads
	// work and every write returns an error wrapping storage.ErrReadOnly
	// without touching the database. With New it is the only way to say so.
	// Default: false.
	ReadOnly bool

	// TablePrefix is put before the table names "responses" and "redirects",
	// so that several caches can share one database. It may hold ASCII
	// letters, digits and underscores and must not start with a digit. A
	// table_prefix URI parameter replaces it. Default: "" (no prefix).
	TablePrefix string

	// MaxBytes is the most bytes of keys and values the Responses table
	// keeps (see "Budget" in the package doc); a write beyond it evicts the
	// least recently used values. Zero means no limit; a negative value is an
	// error. A max_bytes URI parameter replaces it. Default: 0 (no limit).
	MaxBytes int64

	// MaxEntries is the most values the Responses table keeps; a write
	// beyond it evicts the least recently used values. Zero means no limit;
	// a negative value is an error. A max_entries URI parameter replaces it.
	// Default: 0 (no limit).
	MaxEntries int

	// Timeout is the storage.Backend.Timeout that Open and New set: the
	// deadline the core gives each store operation a request makes. A
	// negative value means none (only the request's own). Default:
	// DefaultTimeout (2s).
	Timeout time.Duration

	// Logger receives the warning Open logs when it finds the database file
	// damaged (see "Damaged files" in the package doc). New does not use
	// it. Default: slog.Default(), as it is when Open is called.
	Logger *slog.Logger
}

var prefixRE = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)?$`)

func checkPrefix(p string) error {
	if !prefixRE.MatchString(p) {
		return fmt.Errorf("sqlitestore: invalid table prefix %q: use ASCII letters, digits and underscores, not starting with a digit", p)
	}
	return nil
}

// checkBudget reports a budget that means nothing.
func checkBudget(maxBytes int64, maxEntries int) error {
	if maxBytes < 0 {
		return fmt.Errorf("sqlitestore: MaxBytes is %d; want 0 (no limit) or more", maxBytes)
	}
	if maxEntries < 0 {
		return fmt.Errorf("sqlitestore: MaxEntries is %d; want 0 (no limit) or more", maxEntries)
	}
	return nil
}

// backendTimeout is the storage.Backend.Timeout for Options.Timeout d.
func backendTimeout(d time.Duration) time.Duration { return storeutil.Timeout(d, DefaultTimeout) }

// busyMillis is the busy_timeout pragma's value for d.
func busyMillis(d time.Duration) int64 {
	switch {
	case d == 0:
		return DefaultBusyTimeout.Milliseconds()
	case d < 0:
		return 0
	}
	return max(1, d.Milliseconds())
}
