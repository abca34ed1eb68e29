package driverbench

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	_ "github.com/ncruces/go-sqlite3/driver" // registers "sqlite3"
	_ "modernc.org/sqlite"                   // registers "sqlite"
)

// pragmas are the ones sqlitestore sets; both drivers read "_pragma".
const pragmas = "?_pragma=busy_timeout(5000)&_pragma=journal_mode(wal)&_pragma=synchronous(normal)"

var drivers = []struct{ name, driver string }{
	{"ncruces", "sqlite3"},
	{"modernc", "sqlite"},
}

const schema = `CREATE TABLE IF NOT EXISTS responses (
	key TEXT PRIMARY KEY NOT NULL,
	value BLOB NOT NULL,
	expires INTEGER
);
CREATE INDEX IF NOT EXISTS responses_expires ON responses (expires) WHERE expires IS NOT NULL;`

const (
	readSQL  = `SELECT value FROM responses WHERE key = ?`
	writeSQL = `INSERT INTO responses (key, value, expires) VALUES (?, ?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires`
)

// nKeys is how many rows each benchmark database holds.
const nKeys = 200

func value(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func key(i int) string { return fmt.Sprintf("%064x", i) }

func open(b *testing.B, driver string) *sql.DB {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bench.sqlite")
	db, err := sql.Open(driver, "file:"+path+pragmas)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	if _, err := db.Exec(schema); err != nil {
		b.Fatal(err)
	}
	return db
}

func fill(b *testing.B, db *sql.DB, size int) []byte {
	b.Helper()
	v := value(size, uint64(size))
	stmt, err := db.Prepare(writeSQL)
	if err != nil {
		b.Fatal(err)
	}
	defer stmt.Close()
	for i := range nKeys {
		if _, err := stmt.Exec(key(i), v, nil); err != nil {
			b.Fatal(err)
		}
	}
	return v
}

func benchRead(b *testing.B, driver string, size int, parallel bool) {
	benchReadCtx(b, context.Background(), driver, size, parallel)
}

// benchReadCtx reads with ctx: a context that can be cancelled (a request's)
// makes database/sql and the driver watch it during each query.
func benchReadCtx(b *testing.B, ctx context.Context, driver string, size int, parallel bool) {
	db := open(b, driver)
	want := fill(b, db, size)
	stmt, err := db.PrepareContext(ctx, readSQL)
	if err != nil {
		b.Fatal(err)
	}
	defer stmt.Close()
	read := func(i int) error {
		var got []byte
		if err := stmt.QueryRowContext(ctx, key(i%nKeys)).Scan(&got); err != nil {
			return err
		}
		if len(got) != len(want) {
			return fmt.Errorf("read %d bytes, want %d", len(got), len(want))
		}
		return nil
	}
	if err := read(0); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	if !parallel {
		for i := 0; b.Loop(); i++ {
			if err := read(i); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			if err := read(i); err != nil {
				b.Error(err) // Fatal may not be called from this goroutine
				return
			}
		}
	})
}

func benchWrite(b *testing.B, driver string, size int) {
	ctx := context.Background()
	db := open(b, driver)
	v := value(size, 7)
	stmt, err := db.PrepareContext(ctx, writeSQL)
	if err != nil {
		b.Fatal(err)
	}
	defer stmt.Close()
	b.SetBytes(int64(size))
	for i := 0; b.Loop(); i++ {
		if _, err := stmt.ExecContext(ctx, key(i%nKeys), v, int64(i)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRead2KB(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) { benchRead(b, d.driver, 2<<10, false) })
	}
}

func BenchmarkRead2KBCancelableCtx(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) { benchReadCtx(b, b.Context(), d.driver, 2<<10, false) })
	}
}

func BenchmarkRead100KB(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) { benchRead(b, d.driver, 100<<10, false) })
	}
}

func BenchmarkReadParallel2KB(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) { benchRead(b, d.driver, 2<<10, true) })
	}
}

func BenchmarkWrite2KB(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) { benchWrite(b, d.driver, 2<<10) })
	}
}

func BenchmarkWrite100KB(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) { benchWrite(b, d.driver, 100<<10) })
	}
}

// TestSameBytes checks that both drivers store and return the same bytes, so
// that the benchmarks compare equal work.
func TestSameBytes(t *testing.T) {
	for _, d := range drivers {
		t.Run(d.name, func(t *testing.T) {
			db, err := sql.Open(d.driver, "file:"+filepath.Join(t.TempDir(), "t.sqlite")+pragmas)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(schema); err != nil {
				t.Fatal(err)
			}
			v := value(100<<10, 1)
			if _, err := db.Exec(writeSQL, "k", v, nil); err != nil {
				t.Fatal(err)
			}
			var got []byte
			if err := db.QueryRow(readSQL, "k").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, v) {
				t.Fatalf("read back %d bytes that differ from the %d written", len(got), len(v))
			}
			var mode string
			if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
				t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
			}
		})
	}
}
