package sqlitestore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"slices"
	"strings"
)

// ensureSchema creates q's table and its index if they are missing, and,
// when bookkeeping is true (the store has a budget), the table's bookkeeping
// (usage and LRU tables, triggers; see "Budget" in the package doc), which
// it fills from the rows the table holds (written before, by this store
// without a budget or by an earlier version). It returns whether the
// bookkeeping exists.
//
// The bookkeeping is made in one transaction that holds the write lock from
// its start (BEGIN IMMEDIATE), so that processes opening the file at once,
// and processes writing it meanwhile, see it either absent or whole, and no
// row is written between its filling and its triggers. When everything is
// there, as at every open but the first, ensureSchema only reads
// sqlite_master.
func ensureSchema(ctx context.Context, db *sql.DB, q queries, bookkeeping bool) (bool, error) {
	names := append(slices.Clone(q.tableObjects), q.bookObjects...)
	present, err := objectsPresent(ctx, db, names...)
	if err != nil {
		return false, err
	}
	has := func(names []string) bool {
		for _, n := range names {
			if !present[n] {
				return false
			}
		}
		return true
	}
	hasBook := has(q.bookObjects)
	switch {
	case hasBook || !bookkeeping:
		if !has(q.tableObjects) {
			for _, stmt := range q.schema {
				if _, err := db.ExecContext(ctx, stmt); err != nil {
					return false, err
				}
			}
		}
		return hasBook, nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	// A raw BEGIN, not db.BeginTx: a transaction of database/sql is
	// DEFERRED with most drivers, and one that reads sqlite_master before
	// it writes may fail, not wait, if another process writes meanwhile.
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return false, err
	}
	done := false
	defer func() {
		if done {
			return
		}
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
			// Never put back in the pool a connection inside a transaction.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	// Read again under the lock: another process may have done it.
	present, err = objectsPresent(ctx, conn, q.usageTable)
	if err != nil {
		return false, err
	}
	for _, stmt := range slices.Concat(q.schema, q.book) {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return false, err
		}
	}
	if !present[q.usageTable] {
		for _, stmt := range q.migrate {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				return false, err
			}
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return false, err
	}
	done = true
	return true, nil
}

// querier is a *sql.DB or a *sql.Conn.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// objectsPresent returns which of the named tables, indexes and triggers
// exist.
func objectsPresent(ctx context.Context, db querier, names ...string) (map[string]bool, error) {
	if len(names) == 0 {
		return nil, errors.New("no names")
	}
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE name IN (?`+strings.Repeat(", ?", len(names)-1)+`)`, anys(names)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	present := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		present[name] = true
	}
	return present, rows.Err()
}
