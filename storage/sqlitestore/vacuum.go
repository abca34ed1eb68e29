package sqlitestore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
)

// SQLite's auto_vacuum modes (PRAGMA auto_vacuum).
const (
	autoVacuumNone        = 0
	autoVacuumIncremental = 2
)

// reclaimMin is the least free space, in bytes, that reclaim gives back;
// below it, or below a quarter of the file, the free pages are left for the
// next writes to reuse.
const reclaimMin = 1 << 20

// reclaim gives the database file's free pages back to the file system
// after a deletion (see "Freed space" in the package doc), when there are
// at least reclaimMin bytes of them and they are at least a quarter of the
// file. In a file whose auto_vacuum mode is incremental (every file Open
// creates) it runs PRAGMA incremental_vacuum, whose cost is that of the
// freed pages. In a file created without auto-vacuum (by an earlier version
// of this store, or by a New caller) it runs VACUUM, which rewrites the
// whole database and switches the file to incremental auto-vacuum (unless
// the caller's auto_vacuum pragma says otherwise), but only after a Clear
// (vacuum true), when little is left to rewrite: after a prune it would
// rewrite all that remains. Then it checkpoints the WAL into
// the file and truncates it, if no reader is in the way (it waits for
// none). Its errors are dropped: the deletion it follows has succeeded, and
// space not given back now is reused by later writes.
func (s *store) reclaim(ctx context.Context, vacuum bool) {
	conn, err := s.h.db.Conn(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	var mode, free, pages, pageSize int64
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"auto_vacuum", &mode}, {"freelist_count", &free}, {"page_count", &pages}, {"page_size", &pageSize}} {
		if err := conn.QueryRowContext(ctx, "PRAGMA "+p.name).Scan(p.dst); err != nil {
			return
		}
	}
	if free*pageSize < reclaimMin || free*4 < pages {
		return
	}
	switch {
	case mode == autoVacuumIncremental:
		// Drain it: some drivers step a statement once on Exec, and each
		// step of incremental_vacuum frees one page.
		rows, err := conn.QueryContext(ctx, "PRAGMA incremental_vacuum")
		if err != nil {
			return
		}
		for rows.Next() {
		}
		if rows.Close() != nil || rows.Err() != nil {
			return
		}
	case mode == autoVacuumNone && vacuum:
		// This connection's setting, which the VACUUM applies to the
		// file, unless the caller chose one.
		if !s.h.callersAutoVacuum {
			if _, err := conn.ExecContext(ctx, "PRAGMA auto_vacuum = INCREMENTAL"); err != nil {
				return
			}
		}
		if _, err := conn.ExecContext(ctx, "VACUUM"); err != nil {
			return
		}
	default:
		return
	}
	checkpoint(ctx, conn)
}

// checkpoint copies the WAL into the database file and truncates both the
// WAL (to zero) and the file (to the pages in use), without waiting for a
// lock: with a reader in the way it does what it can, and a later
// checkpoint does the rest. It does nothing in a database not in WAL mode.
func checkpoint(ctx context.Context, conn *sql.Conn) {
	var busy int64
	if err := conn.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
		return
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		return
	}
	var blocked, logFrames, done int64
	_ = conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&blocked, &logFrames, &done)
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA busy_timeout = %d", busy)); err != nil {
		// A connection that would not wait for locks must not go back
		// to the pool.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}
