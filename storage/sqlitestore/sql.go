package sqlitestore

import "strings"

// queries are the SQL statements of one table.
type queries struct {
	schema                                      []string
	read, contains, write, del                  string
	clear, size, keys, values, prune, deletePfx string
}

func newQueries(table string) queries {
	t := quote(table)
	return queries{
		schema: []string{
			`CREATE TABLE IF NOT EXISTS ` + t + ` (
	key     TEXT PRIMARY KEY NOT NULL,
	expires INTEGER,
	value   BLOB NOT NULL
)`,
			`CREATE INDEX IF NOT EXISTS ` + quote(table+"_expires") + ` ON ` + t + ` (expires) WHERE expires IS NOT NULL`,
		},
		read:     `SELECT value FROM ` + t + ` WHERE key = ?`,
		contains: `SELECT 1 FROM ` + t + ` WHERE key = ?`,
		write: `INSERT INTO ` + t + ` (key, value, expires) VALUES (?, ?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires`,
		del:       `DELETE FROM ` + t + ` WHERE key = ?`,
		clear:     `DELETE FROM ` + t,
		size:      `SELECT count(*) FROM ` + t,
		keys:      `SELECT key FROM ` + t,
		values:    `SELECT value FROM ` + t,
		prune:     `DELETE FROM ` + t + ` WHERE expires IS NOT NULL AND expires < ?`,
		deletePfx: `DELETE FROM ` + t + ` WHERE key IN (`,
	}
}

// deleteIn is the DELETE statement for n keys.
func (q queries) deleteIn(n int) string {
	return q.deletePfx + strings.Repeat("?, ", n-1) + "?)"
}

// quote quotes an SQL identifier.
func quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
