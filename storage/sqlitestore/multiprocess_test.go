package sqlitestore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
)

const (
	helperEnvDB  = "SQLITESTORE_HELPER_DB"  // the database the helper process uses
	helperEnvID  = "SQLITESTORE_HELPER_ID"  // the helper's number
	helperEnvMax = "SQLITESTORE_HELPER_MAX" // the helper's MaxEntries

	processes       = 20
	perProcess      = 50
	helperValueSize = 2 << 10
)

func helperKey(proc, i int) string { return fmt.Sprintf("p%02d-%02d", proc, i) }

func helperValue(proc, i int) []byte {
	return bytes.Repeat(fmt.Appendf(nil, "%s;", helperKey(proc, i)), helperValueSize/7)
}

// TestManyProcesses runs twenty processes (this test binary, as
// TestHelperProcess) that open one new database file at once and write and
// read fifty entries each.
func TestManyProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 20 processes")
	}
	path := filepath.Join(t.TempDir(), "shared", "cache.sqlite")
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	runProcesses(t, ctx, path, processes, 0)

	b, err := Open(ctx, path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for p := range processes {
		for i := range perProcess {
			k := helperKey(p, i)
			if v, err := b.Responses.Read(ctx, k); err != nil || !bytes.Equal(v, helperValue(p, i)) {
				t.Fatalf("Read(%s) after all processes ended = (%d bytes, %v), want the %d bytes written", k, len(v), err, len(helperValue(p, i)))
			}
		}
	}
	if n, err := b.Responses.Size(ctx); err != nil || n != processes*perProcess {
		t.Fatalf("Size = (%d, %v), want (%d, nil)", n, err, processes*perProcess)
	}
	if n, err := b.Redirects.Size(ctx); err != nil || n != processes {
		t.Fatalf("Redirects.Size = (%d, %v), want (%d, nil)", n, err, processes)
	}
}

// TestManyProcessesWithBudget is TestManyProcesses with ten processes and a
// budget of 150 entries for the 500 that they write: the budget holds
// across them, and the bookkeeping they keep together agrees with the
// table.
func TestManyProcessesWithBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 20 processes")
	}
	path := filepath.Join(t.TempDir(), "shared", "cache.sqlite")
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	const n, maxEntries = processes / 2, 150
	runProcesses(t, ctx, path, n, maxEntries)

	b, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if bu := wantBookkeeping(t, b.Responses.(*store)); bu.Entries != maxEntries {
		t.Errorf("Budget = %+v after %d writes, want %d entries", bu, n*perProcess, maxEntries)
	}
	if got, err := b.Redirects.Size(ctx); err != nil || got != n {
		t.Fatalf("Redirects.Size = (%d, %v), want (%d, nil)", got, err, n)
	}
}

// runProcesses runs n helper processes on the database at path, each with
// a budget of maxEntries (0: none), and waits for them all.
func runProcesses(t *testing.T, ctx context.Context, path string, n, maxEntries int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for p := range n {
		cmd := exec.CommandContext(ctx, os.Args[0])
		cmd.Env = append(os.Environ(), helperEnvDB+"="+path, helperEnvID+"="+strconv.Itoa(p), helperEnvMax+"="+strconv.Itoa(maxEntries))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatalf("start process %d: %v", p, err)
		}
		wg.Go(func() {
			if err := cmd.Wait(); err != nil {
				errs[p] = fmt.Errorf("process %d: %v\n%s", p, err, out.Bytes())
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

// TestMain runs one of TestManyProcesses' processes when the environment
// says so, and the tests otherwise.
func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnvDB); path != "" {
		id, err := strconv.Atoi(os.Getenv(helperEnvID))
		maxEntries := 0
		if err == nil {
			maxEntries, err = strconv.Atoi(os.Getenv(helperEnvMax))
		}
		if err == nil {
			err = helperWork(context.Background(), path, id, maxEntries)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "process %s: %v\n", os.Getenv(helperEnvID), err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// helperWork writes and reads this process's entries, with two goroutines,
// and reads other processes' entries as they appear. With a budget
// (maxEntries), an entry may have been evicted by the time it is read back,
// and writers wait for the lock longer than by default: each write is a
// transaction of several statements, which under the race detector (that
// instruments SQLite too, translated to Go) hold the lock for tens of
// milliseconds, and 40 writers at once may make one wait its turn longer
// than 5s; the test is of the budget, not of how long a lock is waited for.
func helperWork(ctx context.Context, path string, id, maxEntries int) (err error) {
	opts := &Options{MaxEntries: maxEntries}
	if maxEntries > 0 {
		opts.BusyTimeout = time.Minute
	}
	b, err := Open(ctx, path, opts)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, b.Close()) }()
	resp := b.Responses.(*store)
	errs := make(chan error, 2)
	for g := range 2 {
		go func() {
			errs <- func() error {
				for i := g; i < perProcess; i += 2 {
					k, v := helperKey(id, i), helperValue(id, i)
					if err := resp.WriteWithExpiry(ctx, k, v, time.Now().Add(time.Hour)); err != nil {
						return err
					}
					got, err := resp.Read(ctx, k)
					if maxEntries > 0 && errors.Is(err, storage.ErrNotFound) {
						continue // evicted already
					}
					if err != nil || !bytes.Equal(got, v) {
						return fmt.Errorf("Read(%s) = (%d bytes, %v) right after writing it", k, len(got), err)
					}
					other := helperKey((id+i)%processes, i)
					if _, err := resp.Read(ctx, other); err != nil && !errors.Is(err, storage.ErrNotFound) {
						return err
					}
					if i%10 == 0 {
						if _, err := resp.DeleteExpired(ctx, time.Now()); err != nil {
							return err
						}
						if _, err := resp.Size(ctx); err != nil {
							return err
						}
					}
				}
				return nil
			}()
		}()
	}
	err = errors.Join(<-errs, <-errs)
	if err != nil {
		return err
	}
	return b.Redirects.Write(ctx, fmt.Sprintf("alias-%02d", id), []byte(helperKey(id, 0)))
}
