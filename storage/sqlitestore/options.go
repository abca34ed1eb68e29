package sqlitestore

import (
	"fmt"
	"log/slog"
	"regexp"
	"time"
)

// DefaultBusyTimeout is the busy timeout of a database that Open opens when
// neither Options.BusyTimeout nor a busy_timeout pragma sets one.
const DefaultBusyTimeout = 5 * time.Second

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
