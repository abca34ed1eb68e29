package sqlitestore

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clientcache/clientcache/internal/fspath"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

// config is everything Open derives from its path and Options.
type config struct {
	path     string     // absolute database file path
	params   url.Values // connection parameters for SQLite and the driver
	readOnly bool
	create   bool // the open mode may create the file (and so its directory)
	setWAL   bool // switch the journal to WAL once at open
	// setAutoVacuum: make a new (empty) database file incremental_vacuum
	// capable, as its first page is written
	setAutoVacuum bool
	prefix        string
	busy          time.Duration
	logger        *slog.Logger
	budget        budget        // of the Responses table
	timeout       time.Duration // the Backend's Timeout
}

// connParams are the URI parameters passed through to SQLite and the driver.
var connParams = []string{"_pragma", "_timefmt", "_txlock", "cache", "immutable", "mode", "nolock", "psow", "vfs"}

// storeParams are the URI parameters the store itself reads.
var storeParams = []string{"table_prefix", "max_bytes", "max_entries"}

// newConfig resolves name (a path or a "file:" URI) and opts.
func newConfig(name string, opts *Options) (*config, error) {
	if err := checkNotURL(name); err != nil {
		return nil, err
	}
	path, params := name, url.Values{}
	if strings.HasPrefix(name, "file:") {
		u, err := url.Parse(name)
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: invalid database URI %q: %w", name, err)
		}
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("sqlitestore: database URI %q names host %q: only local files are supported", name, u.Host)
		}
		path = u.Path
		if u.Opaque != "" {
			if path, err = url.PathUnescape(u.Opaque); err != nil {
				return nil, fmt.Errorf("sqlitestore: invalid database URI %q: %w", name, err)
			}
		}
		if params, err = url.ParseQuery(u.RawQuery); err != nil {
			return nil, fmt.Errorf("sqlitestore: invalid query in database URI %q: %w", name, err)
		}
	}
	return buildConfig(path, params, opts, name)
}

// buildConfig checks params and applies opts to the database at path; source
// is what the caller wrote, for error messages.
func buildConfig(path string, params url.Values, opts *Options, source string) (*config, error) {
	if opts == nil {
		opts = &Options{}
	}
	c := &config{params: url.Values{}, prefix: opts.TablePrefix, busy: opts.BusyTimeout, create: true, setWAL: true,
		logger: loggerOr(opts.Logger), budget: budget{maxBytes: opts.MaxBytes, maxEntries: opts.MaxEntries},
		timeout: backendTimeout(opts.Timeout)}
	for k, vs := range params {
		switch {
		case slices.Contains(connParams, k):
			c.params[k] = vs
		case k == "table_prefix":
			c.prefix = vs[len(vs)-1]
		case k == "max_bytes":
			n, err := storeutil.ParseByteSize(vs[len(vs)-1])
			if err != nil {
				return nil, fmt.Errorf("sqlitestore: max_bytes=%q in %q: %w", vs[len(vs)-1], source, err)
			}
			c.budget.maxBytes = n
		case k == "max_entries":
			n, err := strconv.Atoi(vs[len(vs)-1])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("sqlitestore: max_entries=%q in %q is not a count (want a whole number, 0 for no limit)", vs[len(vs)-1], source)
			}
			c.budget.maxEntries = n
		default:
			return nil, fmt.Errorf("sqlitestore: unknown connection parameter %q in %q; use one of %s",
				k, source, strings.Join(append(slices.Clone(connParams), storeParams...), ", "))
		}
	}
	if err := checkPrefix(c.prefix); err != nil {
		return nil, err
	}
	if err := checkBudget(c.budget.maxBytes, c.budget.maxEntries); err != nil {
		return nil, err
	}
	switch mode := c.params.Get("mode"); mode {
	case "", "rwc":
	case "rw":
		c.create = false
	case "ro":
		c.readOnly = true
	default:
		return nil, fmt.Errorf("sqlitestore: unsupported mode=%s in %q: use ro, rw or rwc (for an in-memory cache use memstore)", mode, source)
	}
	if v := strings.ToLower(c.params.Get("immutable")); v != "" && v != "0" && v != "false" && v != "no" && v != "off" {
		c.readOnly = true
	}
	if opts.ReadOnly && !c.readOnly {
		c.params.Set("mode", "ro")
		c.readOnly = true
	}
	if c.readOnly {
		c.create, c.setWAL = false, false
	}
	if !c.params.Has("vfs") {
		c.params.Set("vfs", privateVFS)
	}

	// Pragmas: the caller's, in the caller's order, plus the store's own
	// where the caller set none. busy_timeout goes first, as SQLite advises.
	// (auto_vacuum is not one of them: openDB sets it on a new file. As a
	// connection pragma it would start a write transaction at every
	// connection.)
	pragmas := c.params["_pragma"]
	c.setAutoVacuum = !c.readOnly && !hasPragma(pragmas, "auto_vacuum")
	if !hasPragma(pragmas, "busy_timeout") {
		pragmas = append([]string{fmt.Sprintf("busy_timeout(%d)", busyMillis(c.busy))}, pragmas...)
	}
	if !hasPragma(pragmas, "synchronous") {
		pragmas = append(pragmas, "synchronous(normal)")
	}
	if hasPragma(pragmas, "journal_mode") {
		c.setWAL = false
	}
	c.params["_pragma"] = pragmas

	var err error
	if c.path, err = resolvePath(path); err != nil {
		return nil, err
	}
	return c, nil
}

// checkNotURL refuses a cache_name that is a URL rather than a path: a
// scheme of two or more characters followed by ":/" (sqlite:///x.sqlite,
// redis://host, s3://bucket), or any name with the "sqlite:" scheme
// (sqlite:relative/x.sqlite). Such a name would otherwise become a directory
// named after the scheme. A "file:" URI is SQLite's own, which Open takes;
// a one-letter scheme is a Windows drive (C:/dir/cache.sqlite).
func checkNotURL(name string) error {
	n := schemeLen(name)
	if n < 2 {
		return nil
	}
	scheme := strings.ToLower(name[:n])
	if scheme == "file" || scheme != "sqlite" && !strings.HasPrefix(name[n+1:], "/") {
		return nil
	}
	shown := storage.RedactURL(name)
	return storage.InvalidURL(fmt.Errorf("sqlitestore: the cache_name %q is a URL, not a database path: "+
		"pass Open the database file's path (such as \"~/.cache/myapp.sqlite\"), or open the URL with storage.Open(ctx, %q)",
		shown, shown))
}

// schemeLen returns the length of the URL scheme that name starts with (RFC
// 3986 §3.1: a letter, then letters, digits, '+', '-' or '.', then ':'), not
// counting the ':', or 0.
func schemeLen(name string) int {
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return i
		default:
			return 0
		}
	}
	return 0
}

// hasPragma reports whether one of pragmas ("name(value)", "name=value" or
// "schema.name(value)") sets name.
func hasPragma(pragmas []string, name string) bool {
	for _, p := range pragmas {
		p = strings.TrimSpace(p)
		if i := strings.IndexAny(p, "(= "); i >= 0 {
			p = p[:i]
		}
		if i := strings.LastIndexByte(p, '.'); i >= 0 {
			p = p[i+1:]
		}
		if strings.EqualFold(p, name) {
			return true
		}
	}
	return false
}

// resolvePath turns a cache_name into an absolute database path: "~"
// expanded and ".sqlite" appended when the file name has no extension.
func resolvePath(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("sqlitestore: no database path: the cache_name is the database file's path")
	}
	if strings.HasPrefix(name, ":memory:") {
		return "", fmt.Errorf("sqlitestore: in-memory databases are not supported: use memstore")
	}
	p, err := fspath.ExpandHome(name)
	if err != nil {
		return "", fmt.Errorf("sqlitestore: database path %q: %w", name, err)
	}
	if base := filepath.Base(p); base == "." || base == ".." || base == string(filepath.Separator) {
		return "", fmt.Errorf("sqlitestore: database path %q names a directory, not a file", name)
	} else if ext := filepath.Ext(base); ext == "" || ext == base {
		// Like requests-cache (pathlib's suffix), ".cache" has no extension.
		p += ".sqlite"
	}
	if p, err = filepath.Abs(p); err != nil {
		return "", fmt.Errorf("sqlitestore: database path %q: %w", name, err)
	}
	return p, nil
}

// dsn is the "file:" URI the driver opens.
func (c *config) dsn() string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(c.path), RawQuery: c.params.Encode()}
	if !strings.HasPrefix(u.Path, "/") { // a Windows drive letter
		u.Path = "/" + u.Path
	}
	return u.String()
}

// prepareDir creates the database's parent directories when the open may
// create the file, and checks that the file exists when it may not.
func (c *config) prepareDir() error {
	if !c.create {
		if _, err := os.Stat(c.path); err != nil {
			what := "read-only"
			if !c.readOnly {
				what = "with mode=rw"
			}
			return fmt.Errorf("sqlitestore: open %s %s: %w", c.path, what, err)
		}
		c.readOnlyDir()
		return nil
	}
	// A cache holds what its responses said: a new database file is the
	// user's alone (0600), and so are the directories created for it (0700);
	// an existing directory keeps its mode. The journal, WAL and -shm files
	// are created 0600 by privateVFS.
	if err := fspath.MkdirPrivate(filepath.Dir(c.path)); err != nil {
		return fmt.Errorf("sqlitestore: create the directory of %s: %w", c.path, err)
	}
	if _, err := createPrivate(c.path); err != nil {
		return fmt.Errorf("sqlitestore: create %s: %w", c.path, err)
	}
	return nil
}

// readOnlyDir makes a read-only open of a database in a directory this
// process may not write (a read-only mount, say) work without creating any
// file: SQLite reads a database in WAL mode through the -wal and -shm files,
// and creates them when they are missing, which such a directory refuses
// ("unable to open database file"). When there is no -wal file and the
// directory is not writable, no process can be writing the database (a
// writer needs to create the -wal, or a rollback journal, next to it), so
// the file cannot change while it is open and it is opened with
// immutable=1: SQLite then takes no lock and needs neither file. When there
// is a -wal, or the directory is writable, a writer may be at work, and the
// open stays a plain mode=ro one, which sees its writes.
func (c *config) readOnlyDir() {
	if !c.readOnly || c.params.Has("immutable") {
		return
	}
	if _, err := os.Lstat(c.path + "-wal"); !errors.Is(err, fs.ErrNotExist) {
		return
	}
	if !dirWritable(filepath.Dir(c.path)) {
		c.params.Set("immutable", "1")
	}
}
