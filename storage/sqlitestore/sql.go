package sqlitestore

import "strings"

// queries are the SQL statements of one table and of its bookkeeping (see
// "Budget" in the package doc), which exists once the file has been opened
// with a budget:
//
//   - <table>_usage, one row (id 0): how many rows the table holds (entries),
//     the bytes of their keys and values (bytes), and a clock that every
//     write of a value advances;
//   - <table>_lru, one row per key: the value's size, and the clock when it
//     was last written, or the clock plus one when it was last counted as
//     read (atime), indexed by atime so that the least recently used rows
//     come first.
//
// Triggers on the table keep both up to date in the transaction of every
// write and delete, whoever makes it (a process without a budget, an
// earlier version of this store, a sqlite3 shell), so the totals never need
// a scan of the table.
type queries struct {
	// schema creates the table and its index; book creates the
	// bookkeeping. tableObjects and bookObjects are the names of what each
	// creates.
	schema, book              []string
	tableObjects, bookObjects []string
	// migrate fills the bookkeeping from the rows of the table, once, in
	// the transaction that creates it (the table may hold rows written
	// before).
	migrate    []string
	usageTable string

	// read, contains, size, keys and values see only the rows whose expiry
	// has not passed, at the time given as their last parameter; count
	// counts every row.
	read, contains, write, del                         string
	clear, size, count, keys, values, prune, deletePfx string

	// atime reads when a value was last used, touch counts a use of it now;
	// lru lists keys and sizes from the least recently used; usage reads
	// the totals and the clock; sum computes the totals from the table
	// itself (for a table without its bookkeeping).
	atime, touch, lru, usage, sum string
	// lruSize and usageSize count the bookkeeping's rows (checkTables).
	lruSize, usageSize string
}

func newQueries(table string) queries {
	t := quote(table)
	lruName, usageName := table+"_lru", table+"_usage"
	l, u := quote(lruName), quote(usageName)
	// The size of a row, counted in the budget: its key's bytes (a key is
	// TEXT, whose length() counts characters) and its value's. length() of
	// a BLOB column reads the row's header, not the value.
	size := func(row string) string {
		return `length(CAST(` + row + `.key AS BLOB)) + length(` + row + `.value)`
	}
	// live is true of a row whose expiry has not passed; it takes the time
	// (Unix milliseconds) as its parameter.
	const live = `(expires IS NULL OR expires > ?)`
	q := queries{
		schema: []string{
			`CREATE TABLE IF NOT EXISTS ` + t + ` (
	key     TEXT PRIMARY KEY NOT NULL,
	expires INTEGER,
	value   BLOB NOT NULL
)`,
			`CREATE INDEX IF NOT EXISTS ` + quote(table+"_expires") + ` ON ` + t + ` (expires) WHERE expires IS NOT NULL`,
		},
		tableObjects: []string{table, table + "_expires"},
		book: []string{
			`CREATE TABLE IF NOT EXISTS ` + u + ` (
	id      INTEGER PRIMARY KEY CHECK (id = 0),
	entries INTEGER NOT NULL,
	bytes   INTEGER NOT NULL,
	clock   INTEGER NOT NULL
)`,
			`CREATE TABLE IF NOT EXISTS ` + l + ` (
	key   TEXT PRIMARY KEY NOT NULL,
	atime INTEGER NOT NULL,
	size  INTEGER NOT NULL
) WITHOUT ROWID`,
			`CREATE INDEX IF NOT EXISTS ` + quote(lruName+"_atime") + ` ON ` + l + ` (atime, size)`,
			// A trigger's INSERT cannot say OR REPLACE (the statement that
			// fires it decides conflicts), hence the upserts.
			`CREATE TRIGGER IF NOT EXISTS ` + quote(table+"_usage_insert") + ` AFTER INSERT ON ` + t + ` BEGIN
	UPDATE ` + u + ` SET entries = entries + 1, bytes = bytes + ` + size("NEW") + `, clock = clock + 1 WHERE id = 0;
	INSERT INTO ` + l + ` (key, atime, size) VALUES (NEW.key, coalesce((SELECT clock FROM ` + u + ` WHERE id = 0), 0), ` + size("NEW") + `)
		ON CONFLICT (key) DO UPDATE SET atime = excluded.atime, size = excluded.size;
END`,
			// The old size comes from the _lru row: reading OLD.value would
			// read the whole old value.
			`CREATE TRIGGER IF NOT EXISTS ` + quote(table+"_usage_update") + ` AFTER UPDATE OF key, value ON ` + t + ` BEGIN
	UPDATE ` + u + ` SET bytes = bytes + ` + size("NEW") + ` - coalesce((SELECT size FROM ` + l + ` WHERE key = OLD.key), 0),
		clock = clock + 1 WHERE id = 0;
	DELETE FROM ` + l + ` WHERE key = OLD.key AND OLD.key IS NOT NEW.key;
	INSERT INTO ` + l + ` (key, atime, size) VALUES (NEW.key, coalesce((SELECT clock FROM ` + u + ` WHERE id = 0), 0), ` + size("NEW") + `)
		ON CONFLICT (key) DO UPDATE SET atime = excluded.atime, size = excluded.size;
END`,
			`CREATE TRIGGER IF NOT EXISTS ` + quote(table+"_usage_delete") + ` AFTER DELETE ON ` + t + ` BEGIN
	UPDATE ` + u + ` SET entries = entries - 1, bytes = bytes - coalesce((SELECT size FROM ` + l + ` WHERE key = OLD.key), 0) WHERE id = 0;
	DELETE FROM ` + l + ` WHERE key = OLD.key;
END`,
		},
		usageTable: usageName,
		bookObjects: []string{usageName, lruName, lruName + "_atime",
			table + "_usage_insert", table + "_usage_update", table + "_usage_delete"},
		// Rows written before the bookkeeping existed count as used in the
		// order they were first written (their rowid).
		migrate: []string{
			`INSERT INTO ` + l + ` (key, atime, size) SELECT key, rowid, ` + size(t) + ` FROM ` + t + ` WHERE true
	ON CONFLICT (key) DO NOTHING`,
			`INSERT INTO ` + u + ` (id, entries, bytes, clock) SELECT 0, count(*), coalesce(sum(size), 0), coalesce(max(atime), 0) FROM ` + l + ` WHERE true
	ON CONFLICT (id) DO NOTHING`,
		},
		read:     `SELECT value FROM ` + t + ` WHERE key = ? AND ` + live,
		contains: `SELECT 1 FROM ` + t + ` WHERE key = ? AND ` + live,
		write: `INSERT INTO ` + t + ` (key, value, expires) VALUES (?, ?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires`,
		del:       `DELETE FROM ` + t + ` WHERE key = ?`,
		clear:     `DELETE FROM ` + t,
		size:      `SELECT count(*) FROM ` + t + ` WHERE ` + live,
		count:     `SELECT count(*) FROM ` + t,
		keys:      `SELECT key FROM ` + t + ` WHERE ` + live,
		values:    `SELECT value FROM ` + t + ` WHERE ` + live,
		prune:     `DELETE FROM ` + t + ` WHERE expires IS NOT NULL AND expires < ?`,
		deletePfx: `DELETE FROM ` + t + ` WHERE key IN (`,

		atime: `SELECT atime FROM ` + l + ` WHERE key = ?`,
		// A use counted ranks after every value written before it, and
		// with the next written: clock + 1, without advancing the clock
		// (which counts writes).
		touch: `UPDATE ` + l + ` SET atime = coalesce((SELECT clock FROM ` + u + ` WHERE id = 0), 0) + 1 WHERE key = ?`,
		lru:   `SELECT key, size FROM ` + l + ` WHERE key <> ? ORDER BY atime`,
		usage: `SELECT entries, bytes, clock FROM ` + u + ` WHERE id = 0`,
		sum:   `SELECT count(*), coalesce(sum(` + size(t) + `), 0) FROM ` + t,

		lruSize:   `SELECT count(*) FROM ` + l,
		usageSize: `SELECT count(*) FROM ` + u,
	}
	return q
}

// deleteIn is the DELETE statement for n keys.
func (q queries) deleteIn(n int) string {
	return q.deletePfx + strings.Repeat("?, ", n-1) + "?)"
}

// quote quotes an SQL identifier.
func quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
